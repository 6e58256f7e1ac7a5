package hints

import (
	"strings"
	"unicode/utf8"
)

// Render lays out a hint's Markdown for a terminal width columns wide:
// paragraphs and list items are wrapped between words, code blocks are kept
// line for line and indented, and code spans lose their backticks and go
// through code (which may colour them). Headings and emphasis are rare in
// hints and are shown as written.
func Render(md string, width int, code func(string) string) string {
	width = max(width, 30)
	var out []string
	var para []string
	flush := func() {
		if len(para) > 0 {
			out = append(out, wrap(strings.Join(para, " "), width, code)...)
			para = nil
		}
	}
	inFence := false
	for _, line := range strings.Split(md, "\n") {
		trimmed := strings.TrimSpace(line)
		switch {
		case strings.HasPrefix(trimmed, "```"):
			flush()
			inFence = !inFence
		case inFence:
			out = append(out, "    "+code(line))
		case trimmed == "":
			flush()
			out = append(out, "")
		case strings.HasPrefix(trimmed, "- ") || listItem.MatchString(trimmed):
			flush()
			para = []string{trimmed}
		default:
			para = append(para, trimmed)
		}
	}
	flush()
	return strings.TrimRight(strings.Join(out, "\n"), "\n")
}

// wrap breaks text into lines of at most width runes, between words, and
// styles its code spans. A code span is never broken.
func wrap(text string, width int, code func(string) string) []string {
	var lines []string
	var line strings.Builder
	n := 0 // runes on the line, without styling
	for _, w := range words(text) {
		if n > 0 && n+1+w.runes() > width {
			lines = append(lines, line.String())
			line.Reset()
			n = 0
		}
		if n > 0 {
			line.WriteByte(' ')
			n++
		}
		for _, s := range w {
			if s.code {
				line.WriteString(code(s.text))
			} else {
				line.WriteString(s.text)
			}
		}
		n += w.runes()
	}
	if n > 0 {
		lines = append(lines, line.String())
	}
	return lines
}

// A word is what lies between two spaces outside code spans: "`Recv`," is
// one word of two segments, a code span and a comma.
type word []segment

type segment struct {
	text string
	code bool
}

func (w word) runes() int {
	n := 0
	for _, s := range w {
		n += utf8.RuneCountInString(s.text)
	}
	return n
}

// words splits text into words, dropping the backticks of code spans.
func words(text string) []word {
	var ws []word
	var cur word
	var seg strings.Builder
	inCode := false
	endSegment := func() {
		if seg.Len() > 0 {
			cur = append(cur, segment{seg.String(), inCode})
			seg.Reset()
		}
	}
	for _, r := range text {
		switch {
		case r == '`':
			endSegment()
			inCode = !inCode
		case r == ' ' && !inCode:
			endSegment()
			if len(cur) > 0 {
				ws = append(ws, cur)
				cur = nil
			}
		default:
			seg.WriteRune(r)
		}
	}
	endSegment()
	if len(cur) > 0 {
		ws = append(ws, cur)
	}
	return ws
}
