package watch

import (
	"context"
	"testing"
	"time"

	"github.com/grpc-streaming-workshop/workshop/cmd/workshop/internal/board"
	"github.com/grpc-streaming-workshop/workshop/cmd/workshop/internal/steps"
	"github.com/grpc-streaming-workshop/workshop/cmd/workshop/internal/workshoptest"
)

// verdict is what one run of the board found, and when.
type verdict struct {
	passed int
	at     time.Time
}

// TestRerunsOnSave watches a fixture step and saves its learner file the way
// editors that write a new file and rename it over the old one do: each save
// gets a new verdict.
func TestRerunsOnSave(t *testing.T) {
	root := workshoptest.New(t, workshoptest.Sum("01-sum"))
	step, err := steps.Find(root, "01")
	if err != nil {
		t.Fatal(err)
	}
	bin := t.TempDir()
	verdicts := make(chan verdict, 10)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error)
	go func() {
		done <- Run(ctx, Config{
			Dirs: []string{step.Dir()},
			Run: func(ctx context.Context) {
				b, err := board.Load(ctx, root, []steps.Step{step}, board.Options{BinDir: bin})
				if ctx.Err() != nil {
					return
				}
				if err != nil {
					t.Errorf("board.Load: %v", err)
					return
				}
				verdicts <- verdict{b[0].Passed(), time.Now()}
			},
			Warn: func(err error) { t.Errorf("watch: %v", err) },
		})
	}()

	next := func(want int) time.Time {
		t.Helper()
		select {
		case v := <-verdicts:
			if v.passed != want {
				t.Fatalf("verdict: %d tasks pass, want %d", v.passed, want)
			}
			return v.at
		case <-time.After(60 * time.Second):
			t.Fatalf("no verdict within a minute (want %d tasks passing)", want)
		}
		return time.Time{}
	}
	next(0) // the first run, at the start

	for _, save := range []struct {
		content string
		passing int
	}{
		{workshoptest.SumTask1Done, 1},
		{workshoptest.SumSolved, 2},
	} {
		saved := time.Now()
		workshoptest.SaveByRename(t, root, "01-sum/sum.go", save.content)
		at := next(save.passing)
		t.Logf("verdict %v after the save", at.Sub(saved).Round(time.Millisecond))
	}

	// Manual re-runs need no event; an editor's backup file is no reason to run.
	workshoptest.Write(t, root, "01-sum/sum.go~", "backup")
	select {
	case v := <-verdicts:
		t.Errorf("a backup file triggered a run: %+v", v)
	case <-time.After(300 * time.Millisecond):
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Run: %v", err)
	}
}

func TestManualRun(t *testing.T) {
	manual := make(chan struct{})
	runs := make(chan struct{}, 5)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go Run(ctx, Config{Dirs: []string{t.TempDir()}, Manual: manual, Run: func(context.Context) { runs <- struct{}{} }})
	<-runs
	manual <- struct{}{}
	select {
	case <-runs:
	case <-time.After(10 * time.Second):
		t.Fatal("pressing Enter did not re-run")
	}
}

// TestChangedIsToldBeforeTheRun: a save is acknowledged as soon as it is
// seen, not after the debounce and the run that follow it.
func TestChangedIsToldBeforeTheRun(t *testing.T) {
	root := workshoptest.New(t, workshoptest.Sum("01-sum"))
	step, err := steps.Find(root, "01")
	if err != nil {
		t.Fatal(err)
	}
	runs := make(chan struct{}, 10)
	changed := make(chan string, 10)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error)
	go func() {
		done <- Run(ctx, Config{
			Dirs:     []string{step.Dir()},
			Debounce: time.Hour, // no run follows the save within this test
			Run:      func(context.Context) { runs <- struct{}{} },
			Changed:  func(path string) { changed <- path },
			Warn:     func(err error) { t.Errorf("watch: %v", err) },
		})
	}()
	<-runs // the first run, at the start
	workshoptest.SaveByRename(t, root, "01-sum/sum.go", workshoptest.SumSolved)
	select {
	case <-changed:
	case <-runs:
		t.Error("a run started before the save was acknowledged")
	case <-time.After(10 * time.Second):
		t.Error("10s after a save, Changed was not called")
	}
	cancel()
	<-done
}
