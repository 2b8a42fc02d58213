package main

import (
	"fmt"
	"io"
	"time"

	"github.com/spf13/cobra"

	"github.com/semsearch/semsearch"
	"github.com/semsearch/semsearch/app"
	"github.com/semsearch/semsearch/sources"
	"github.com/semsearch/semsearch/wire"
)

// Subscriptions: add, sources, remove, poll. The CLI user owns the machine,
// so sources are shown with their full path, but URL secrets stay redacted.

// pollFlags tune the poller for the commands that poll (serve, add, poll).
type pollFlags struct {
	poll        bool // serve only: poll in the background
	workers     int
	minInterval time.Duration
}

func (p *pollFlags) register(cmd *cobra.Command, env *cliEnv, workers bool) {
	f := cmd.Flags()
	def := sources.DefaultOptions()
	f.DurationVar(&p.minInterval, "poll-min-interval", env.flags.envDuration("SEMSEARCH_POLL_MIN_INTERVAL", def.MinInterval),
		"shortest time between two polls of one source (env SEMSEARCH_POLL_MIN_INTERVAL)")
	if workers {
		f.IntVar(&p.workers, "poll-workers", env.flags.envInt("SEMSEARCH_POLL_WORKERS", def.Workers), "sources polled at once (env SEMSEARCH_POLL_WORKERS)")
	}
}

func (p pollFlags) apply(c *app.Config) {
	c.Sources.MinInterval = p.minInterval
	c.Sources.Workers = p.workers
}

func newAddCommand(env *cliEnv) *cobra.Command {
	var (
		asJSON, crawl, allowPrivate bool
		interval                    time.Duration
		polling                     pollFlags
	)
	cmd := &cobra.Command{
		Use:   "add [--interval D] [--crawl] [--allow-private] [--json] SOURCE...",
		Short: "Subscribe to feeds, sites, sitemaps, OPML lists, files or directories, and fetch them now",
		Long: `Add subscribes to each SOURCE and fetches it at once; semsearch serve (or
semsearch poll, from cron) then keeps it fresh. What a SOURCE is comes from its content:
a feed is polled with conditional GET; an HTML page that advertises a feed subscribes to
the feed; a blog's home or listing page, a page given with --crawl, or a sitemap is
crawled to its full articles (robots.txt honoured, same site only, bounded); an OPML list
subscribes to each of its feeds; a file or directory is re-read when it changes.
--interval fixes the time between polls (default: adapt to how often the source
publishes, within 15m and 24h). The exit status is 1 when any source failed.`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			a, err := env.openApp(ctx, func(c *app.Config) {
				c.Ingest.AllowPrivate = allowPrivate
				polling.apply(c)
			})
			if err != nil {
				return err
			}
			defer a.Close()
			res, err := a.Subscribe(ctx, args, sources.AddOptions{Interval: interval, Crawl: crawl, AllowPrivate: allowPrivate})
			if err != nil {
				return err
			}
			rep := sources.Report(res, semsearch.RedactURL)
			if asJSON {
				if err := writeJSON(env.stdout, rep); err != nil {
					return err
				}
			} else {
				printAdded(env.stdout, res, rep)
			}
			for _, r := range res {
				if r.Err != nil {
					if len(res) == 1 && semsearch.ErrorCode(r.Err) == semsearch.EInvalid {
						return r.Err
					}
					return exitError{code: 1}
				}
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.BoolVar(&asJSON, "json", false, "print the report as JSON (the ingest --json body)")
	f.BoolVar(&crawl, "crawl", false, "crawl an HTML page's site to full articles, even when it advertises a feed")
	f.BoolVar(&allowPrivate, "allow-private", false, "let the sources live on loopback, private and link-local addresses (cloud metadata stays blocked)")
	f.DurationVar(&interval, "interval", 0, "time between two polls, e.g. 30m or 6h (default: adapt to the source)")
	polling.register(cmd, env, false)
	return cmd
}

func printAdded(w io.Writer, res []sources.Result, rep semsearch.IngestReport) {
	for i, r := range res {
		s := rep.Sources[i]
		if r.Err != nil {
			fmt.Fprintf(w, "FAIL  %s: %s\n", termLine(s.Source), termLine(s.Error))
			continue
		}
		fmt.Fprintf(w, "added %s (%s, id %d): %d posts, %d chunks, %d unchanged", termLine(s.Source), r.Source.Kind, r.Source.ID, s.Posts, s.Chunks, s.Unchanged)
		if r.Outcome == sources.Failed {
			fmt.Fprintf(w, "; its first poll failed: %s", termLine(r.Source.LastError))
		} else if r.Source.LastError != "" {
			fmt.Fprintf(w, "; %s", termLine(r.Source.LastError))
		}
		fmt.Fprintln(w)
	}
	fmt.Fprintf(w, "stored %d posts, %d chunks (%d unchanged)\n", rep.Posts, rep.Chunks, rep.Unchanged)
}

func newSourcesCommand(env *cliEnv) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "sources [--json]",
		Short: "List the subscribed sources with their polling state",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return env.withApp(cmd.Context(), func(a *app.App) error {
				subs, err := a.Sources(cmd.Context())
				if err != nil {
					return err
				}
				body := wire.NewSources(subs, semsearch.RedactURL)
				if asJSON {
					return writeJSON(env.stdout, body)
				}
				printSources(env.stdout, body)
				return nil
			})
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the sources as JSON")
	return cmd
}

func printSources(w io.Writer, body wire.SourcesResponse) {
	if len(body.Sources) == 0 {
		fmt.Fprintln(w, "no sources: subscribe with semsearch add SOURCE")
		return
	}
	when := func(t *time.Time) string {
		if t == nil {
			return "-"
		}
		return t.Local().Format("2006-01-02 15:04")
	}
	for _, s := range body.Sources {
		fmt.Fprintf(w, "%3d  %-7s %-6s %s\n", s.ID, s.Kind, s.Status, termLine(s.URL))
		fmt.Fprintf(w, "     %d posts; checked %s (HTTP %d), next %s", s.Posts, when(s.LastChecked), s.HTTPStatus, when(s.NextCheck))
		if s.Errors > 0 {
			fmt.Fprintf(w, "; %d errors in a row", s.Errors)
		}
		fmt.Fprintln(w)
		if s.LastError != "" {
			fmt.Fprintf(w, "     %s\n", termLine(s.LastError))
		}
	}
}

func newRemoveCommand(env *cliEnv) *cobra.Command {
	var purge bool
	cmd := &cobra.Command{
		Use:   "remove [--purge] SOURCE",
		Short: "Unsubscribe a source (by ID or URL); --purge also deletes the posts only it contributed",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return env.withApp(cmd.Context(), func(a *app.App) error {
				sub, err := a.FindSource(cmd.Context(), args[0])
				if err != nil {
					return err
				}
				n, err := a.RemoveSource(cmd.Context(), sub.ID, purge)
				if err != nil {
					return err
				}
				fmt.Fprintf(env.stdout, "removed %s", termLine(semsearch.RedactURL(sub.URL)))
				if purge {
					fmt.Fprintf(env.stdout, " and %d of its posts (those no other source contributed)", n)
				}
				fmt.Fprintln(env.stdout)
				return nil
			})
		},
	}
	cmd.Flags().BoolVar(&purge, "purge", false, "also delete the posts that only this source contributed")
	return cmd
}

func newPollCommand(env *cliEnv) *cobra.Command {
	var (
		asJSON, all bool
		polling     pollFlags
	)
	cmd := &cobra.Command{
		Use:   "poll [--all] [--json]",
		Short: "Poll the due sources once (--all: every source, still conditionally) and exit, for cron",
		Long: `Poll polls every subscribed source that is due, once, and exits: for cron users
who do not run semsearch serve. --all polls every source whatever its schedule (gone
ones too), still with conditional GET. The exit status is 1 when any poll failed.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			a, err := env.openApp(ctx, polling.apply)
			if err != nil {
				return err
			}
			defer a.Close()
			res, err := a.PollSources(ctx, all)
			if err != nil {
				return err
			}
			body := wire.PollResponse{Sources: make([]semsearch.PollReport, 0, len(res))}
			for _, r := range res {
				body.Sources = append(body.Sources, r.Report(semsearch.RedactURL))
			}
			if asJSON {
				if err := writeJSON(env.stdout, body); err != nil {
					return err
				}
			} else {
				printPolled(env.stdout, body)
			}
			for _, r := range body.Sources {
				if r.Error != "" {
					return exitError{code: 1}
				}
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the results as JSON")
	cmd.Flags().BoolVar(&all, "all", false, "poll every source, not only the due ones")
	polling.register(cmd, env, true)
	return cmd
}

func printPolled(w io.Writer, body wire.PollResponse) {
	if len(body.Sources) == 0 {
		fmt.Fprintln(w, "no source is due")
		return
	}
	for _, r := range body.Sources {
		switch r.Result {
		case string(sources.Failed):
			fmt.Fprintf(w, "FAIL  %s: %s\n", termLine(r.URL), termLine(r.Error))
		default:
			fmt.Fprintf(w, "%-12s %s (HTTP %d): %d new, %d changed, %d unchanged\n", r.Result, termLine(r.URL), r.HTTPStatus, r.New, r.Changed, r.Unchanged)
		}
	}
}
