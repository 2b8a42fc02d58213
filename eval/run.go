package eval

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"github.com/semsearch/semsearch"
)

// Engine is what an evaluation needs from an index; *app.App satisfies it.
type Engine interface {
	IngestPosts(ctx context.Context, source string, posts []semsearch.Post) (semsearch.SourceReport, error)
	Search(ctx context.Context, q semsearch.Query) ([]semsearch.Result, error)
	Close() error
}

// Opener opens (or creates) the index kept in dir.
type Opener func(ctx context.Context, dir string) (Engine, error)

// Options describe one dataset evaluation.
type Options struct {
	Dataset string         // BEIR-layout directory
	Qrels   string         // judgments file in Dataset; default "qrels.tsv"
	Mode    semsearch.Mode // default hybrid
	K       int            // hits per query, 1..100; default 100
	// WorkDir keeps the dataset's index between runs, so re-running costs
	// no embedding (unchanged posts are skipped; a document removed from the
	// corpus stays indexed: delete the directory after such an edit).
	// Default: CacheDir(name, Model).
	WorkDir string
	Model   string // names the default WorkDir; the index must be built with it
	RunOut  string // when set, the TREC run is written here
	Logger  *slog.Logger
}

// ingestBatch is how many posts go into the index per IngestPosts call: each
// call stores its posts, so an interrupted first run keeps what it embedded,
// and progress gets logged between calls.
const ingestBatch = 256

// Run loads the dataset, brings its index in WorkDir up to date, searches
// every scored query and scores the hits. The figures are those trec_eval
// would give the run written to RunOut: hits are taken in trec_eval's order
// (score descending, then doc id descending).
func Run(ctx context.Context, opts Options, open Opener) (Report, error) {
	if opts.Mode == "" {
		opts.Mode = semsearch.ModeHybrid
	}
	switch opts.Mode {
	case semsearch.ModeHybrid, semsearch.ModeVector, semsearch.ModeLexical:
	default:
		return Report{}, semsearch.Errorf(semsearch.EInvalid, "mode %q: want hybrid, vector or lexical", opts.Mode)
	}
	if opts.K == 0 {
		opts.K = Depth
	}
	if opts.K < 1 || opts.K > 100 {
		return Report{}, semsearch.Errorf(semsearch.EInvalid, "k %d: want 1..100", opts.K)
	}
	if opts.Qrels == "" {
		opts.Qrels = "qrels.tsv"
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	ds, err := LoadBEIRQrels(opts.Dataset, opts.Qrels)
	if err != nil {
		return Report{}, semsearch.Errorf(semsearch.EInvalid, "%v", err)
	}
	dir := opts.WorkDir
	if dir == "" {
		if dir, err = CacheDir(ds.Name, opts.Model); err != nil {
			return Report{}, err
		}
	}
	eng, err := open(ctx, dir)
	if err != nil {
		return Report{}, fmt.Errorf("open eval index %s: %w", dir, err)
	}
	defer eng.Close()

	posts := ds.Posts()
	stored := 0
	for i := 0; i < len(posts); i += ingestBatch {
		rep, err := eng.IngestPosts(ctx, ds.Name, posts[i:min(i+ingestBatch, len(posts))])
		if err != nil {
			return Report{}, fmt.Errorf("index %s: %w", ds.Name, err)
		}
		stored += rep.Posts
		if rep.Posts > 0 {
			log.Info("eval ingest", "dataset", ds.Name, "posts_done", min(i+ingestBatch, len(posts)), "posts_total", len(posts), "chunks", rep.Chunks)
		}
	}
	log.Info("eval index ready", "dataset", ds.Name, "dir", dir, "posts", len(posts), "stored", stored)

	run := make(map[string][]ScoredDoc)
	for _, q := range ds.Queries {
		if !scored(ds.Qrels[q.ID]) {
			continue
		}
		res, err := eng.Search(ctx, semsearch.Query{Text: q.Text, K: opts.K, Mode: opts.Mode})
		if err != nil {
			return Report{}, fmt.Errorf("evaluate %s: query %s: %w", ds.Name, q.ID, err)
		}
		hits := make([]ScoredDoc, len(res))
		for i, r := range res {
			hits[i] = ScoredDoc{ID: r.ID, Score: r.Score}
		}
		run[q.ID] = hits
	}
	if opts.RunOut != "" {
		if err := writeRunFile(opts.RunOut, "semsearch-"+string(opts.Mode), run); err != nil {
			return Report{}, err
		}
	}
	rep := ScoreRun(ds.Name, run, ds.Qrels)
	rep.Mode = string(opts.Mode)
	return rep, nil
}

func writeRunFile(path, name string, run map[string][]ScoredDoc) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("write run: %w", err)
	}
	if err := WriteTRECRun(f, name, run); err != nil {
		f.Close()
		return fmt.Errorf("%s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("write run %s: %w", path, err)
	}
	return nil
}

// CacheDir is the default index directory of a dataset evaluated with a
// model: $XDG_CACHE_HOME/semsearch/eval/<dataset>-<model> (or the platform's
// user cache directory).
func CacheDir(dataset, model string) (string, error) {
	base, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("eval work dir: %w (pass --work DIR)", err)
	}
	name := dataset
	if model != "" {
		name += "-" + model
	}
	return filepath.Join(base, "semsearch", "eval", safeName(name)), nil
}

// safeName keeps a path element to letters, digits, '.', '-' and '_' (model
// names such as "org/model:tag" must not create subdirectories).
func safeName(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '.', r == '-', r == '_':
			return r
		}
		return '_'
	}, s)
}

// QuestionEngine is what a seed-question evaluation needs: post-level
// search and the stored posts (to match titles and phrases).
type QuestionEngine interface {
	Search(ctx context.Context, q semsearch.Query) ([]semsearch.Result, error)
	Post(ctx context.Context, id string) (semsearch.Post, error)
}

// RunQuestions scores the questions in path against an index that already
// holds the posts they are about (the seeds). k is the hits per question
// (0 means Depth). Report.Dataset is "questions".
func RunQuestions(ctx context.Context, path string, mode semsearch.Mode, k int, eng QuestionEngine) (Report, error) {
	if mode == "" {
		mode = semsearch.ModeHybrid
	}
	if k == 0 {
		k = Depth
	}
	qs, err := LoadQuestions(path)
	if err != nil {
		return Report{}, semsearch.Errorf(semsearch.EInvalid, "%v", err)
	}
	posts := map[string]semsearch.Post{}
	rep, err := EvaluateQuestions(ctx, qs, func(ctx context.Context, text string, _ int) ([]semsearch.Post, error) {
		res, err := eng.Search(ctx, semsearch.Query{Text: text, K: k, Mode: mode})
		if err != nil {
			return nil, err
		}
		out := make([]semsearch.Post, len(res))
		for i, r := range res {
			p, ok := posts[r.ID]
			if !ok {
				if p, err = eng.Post(ctx, r.ID); err != nil {
					return nil, fmt.Errorf("post %s: %w", r.ID, err)
				}
				posts[r.ID] = p
			}
			out[i] = p
		}
		return out, nil
	})
	rep.Mode = string(mode)
	return rep, err
}
