package board

import (
	"os"

	"golang.org/x/sys/windows"
)

// terminalColors turns on the console's ANSI escape codes, which Windows
// consoles understand only when asked; if that fails, no colours.
func terminalColors(out *os.File) bool {
	h := windows.Handle(out.Fd())
	var mode uint32
	if windows.GetConsoleMode(h, &mode) != nil {
		return false
	}
	return windows.SetConsoleMode(h, mode|windows.ENABLE_VIRTUAL_TERMINAL_PROCESSING) == nil
}
