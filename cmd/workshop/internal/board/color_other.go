//go:build !windows

package board

import "os"

// terminalColors: every terminal outside Windows understands ANSI colours.
func terminalColors(*os.File) bool { return true }
