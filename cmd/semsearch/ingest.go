package main

import (
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/semsearch/semsearch"
	"github.com/semsearch/semsearch/app"
)

func newIngestCommand(env *cliEnv) *cobra.Command {
	var asJSON, allowPrivate, followFeeds bool
	cmd := &cobra.Command{
		Use:   "ingest SOURCE...",
		Short: "Ingest files, directories, URLs, OPML lists or - (stdin)",
		Long: `Ingest parses each SOURCE into posts, chunks and embeds them, and stores them.
A SOURCE is a feed or page file, a directory (recursive), an http(s) URL, an OPML
subscription list, or - for standard input. Unchanged posts cost nothing.
The exit status is 1 when any source failed; the other sources still go in.`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			a, err := env.openApp(ctx, func(c *app.Config) {
				c.Ingest.AllowPrivate = allowPrivate
				c.Ingest.FollowFeeds = followFeeds
			})
			if err != nil {
				return err
			}
			defer a.Close()
			p := newProgress(env.stderr, env.log)
			rep, err := a.Ingest(ctx, args, app.IngestOptions{Stdin: env.stdin, Progress: p.update})
			p.finish()
			if err != nil {
				return err
			}
			if asJSON {
				if err := writeJSON(env.stdout, rep); err != nil {
					return err
				}
			} else {
				printIngestReport(env.stdout, rep)
			}
			for _, s := range rep.Sources {
				if s.Error != "" {
					return exitError{code: 1}
				}
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the report as JSON")
	cmd.Flags().BoolVar(&allowPrivate, "allow-private", false, "allow URLs on loopback, private and link-local addresses")
	cmd.Flags().BoolVar(&followFeeds, "follow-feeds", false, "for an HTML page that advertises a feed, ingest the feed instead")
	return cmd
}

func printIngestReport(w io.Writer, rep semsearch.IngestReport) {
	for _, s := range rep.Sources {
		if s.Error != "" {
			fmt.Fprintf(w, "FAIL  %s: %s\n", termLine(s.Source), termLine(s.Error))
			continue
		}
		if s.Skipped != "" {
			fmt.Fprintf(w, "skip  %s: %s\n", termLine(s.Source), termLine(s.Skipped))
			continue
		}
		fmt.Fprintf(w, "ok    %s: %d posts, %d chunks, %d unchanged\n", termLine(s.Source), s.Posts, s.Chunks, s.Unchanged)
		if len(s.Feeds) > 0 {
			fmt.Fprintf(w, "      %s advertises feeds (ingest them with --follow-feeds): %s\n", termLine(s.Source), termLine(strings.Join(s.Feeds, " ")))
		}
	}
	fmt.Fprintf(w, "stored %d posts, %d chunks (%d unchanged)\n", rep.Posts, rep.Chunks, rep.Unchanged)
}

// progress shows ingest progress: a bar on a terminal, a log line every few
// seconds otherwise (so CI logs and pipes stay readable).
type progress struct {
	bar     *progressbar.ProgressBar
	log     *slog.Logger
	start   time.Time
	lastLog time.Time
}

func newProgress(w io.Writer, log *slog.Logger) *progress {
	p := &progress{log: log, start: time.Now()}
	if f, ok := w.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		p.bar = progressbar.NewOptions(-1,
			progressbar.OptionSetWriter(w),
			progressbar.OptionSetDescription("embedding"),
			progressbar.OptionShowCount(),
			progressbar.OptionSetItsString("chunks"),
			progressbar.OptionShowIts(),
			progressbar.OptionSetPredictTime(true),
			progressbar.OptionClearOnFinish(),
		)
	}
	return p
}

func (p *progress) update(postsDone, postsTotal, chunksDone, chunksTotal int) {
	if p.bar != nil {
		p.bar.ChangeMax(chunksTotal)
		p.bar.Describe(fmt.Sprintf("posts %d/%d", postsDone, postsTotal))
		_ = p.bar.Set(chunksDone)
		return
	}
	if postsTotal == 0 {
		return // nothing new to embed
	}
	now := time.Now()
	finished := postsDone == postsTotal
	if now.Sub(p.lastLog) < 5*time.Second && !finished {
		return
	}
	p.lastLog = now
	eta := time.Duration(0)
	if chunksDone > 0 {
		elapsed := now.Sub(p.start)
		eta = time.Duration(float64(elapsed) / float64(chunksDone) * float64(chunksTotal-chunksDone)).Round(time.Second)
	}
	p.log.Info("ingest progress", "posts_done", postsDone, "posts_total", postsTotal,
		"chunks_done", chunksDone, "chunks_total", chunksTotal, "eta", eta.String())
}

func (p *progress) finish() {
	if p.bar != nil {
		_ = p.bar.Finish()
	}
}
