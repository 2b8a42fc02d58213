// Package app wires the stages of the flow (ingest → chunk → embed → index →
// search) into one object that the CLI and the HTTP server both drive.
package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/semsearch/semsearch"
	"github.com/semsearch/semsearch/answer"
	"github.com/semsearch/semsearch/chunk"
	"github.com/semsearch/semsearch/embed"
	"github.com/semsearch/semsearch/gaps"
	"github.com/semsearch/semsearch/ingest"
	"github.com/semsearch/semsearch/phrase"
	"github.com/semsearch/semsearch/querylog"
	"github.com/semsearch/semsearch/search"
	"github.com/semsearch/semsearch/sources"
)

// App is an open index with its embedder. It is safe for concurrent use;
// writers take per-post locks, so one post is never embedded twice at once
// while ingests of different posts run side by side.
type App struct {
	log      *slog.Logger
	lock     *dirLock // shared: keeps a reindex from swapping the store underneath
	store    Store
	raw      semsearch.Embedder // the provider, uncached (for /v1/embeddings)
	emb      semsearch.Embedder // cached by (model, text hash) in the store
	searcher *search.Searcher
	answerer *answer.Answerer
	phraser  *phrase.Phraser // nil unless Config.Chat.BaseURL
	now      func() time.Time
	qlog     *querylog.Log // nil unless Config.QueryLog
	dataDir  string
	ingester *ingest.Ingester
	chunking chunk.Options
	posts    *postLocks
	poller   *sources.Poller // nil when the store keeps no source registry
	polling  sourcesConfig
}

// Open opens (or creates) the index in cfg.DataDir with the configured
// embedder. It fails with a clear message when the index was built with
// another model (run `semsearch reindex`) or the local weights are missing.
func Open(ctx context.Context, cfg Config) (*App, error) {
	cfg = cfg.withDefaults()
	lock := &dirLock{} // a cluster backend keeps nothing in DataDir
	if !cfg.remote() {
		if err := os.MkdirAll(cfg.DataDir, 0o755); err != nil {
			return nil, fmt.Errorf("create data dir %s: %w", cfg.DataDir, err)
		}
		var err error
		if lock, err = lockDir(cfg.DataDir, false); err != nil {
			return nil, err
		}
	}
	raw, tokens, err := openEmbedder(ctx, cfg)
	if err != nil {
		lock.unlock()
		return nil, err
	}
	store, err := openStore(ctx, cfg, raw.Model(), raw.Dims())
	if err != nil {
		closeEmbedder(raw)
		lock.unlock()
		return nil, err
	}
	chunking := cfg.Chunk
	if tokens != nil {
		if chunking.CountTokens == nil {
			chunking.CountTokens = tokens.count
		}
		if chunking.MaxTokens <= 0 {
			chunking.MaxTokens = min(chunk.DefaultMaxTokens, tokens.max)
		}
	}
	a := &App{
		log:      cfg.Logger,
		lock:     lock,
		store:    store,
		raw:      raw,
		emb:      embed.Cached(raw, store, cfg.Logger),
		ingester: ingest.New(cfg.Ingest),
		chunking: chunking,
		posts:    newPostLocks(),
	}
	searching := cfg.Search
	if searching.Logger == nil {
		searching.Logger = cfg.Logger
	}
	a.searcher = search.NewWithOptions(store, a.emb, searching)
	// Sentences are embedded uncached: the cache is written by ingest only.
	a.answerer = answer.New(a.searcher, store, raw, cfg.Answer)
	if cfg.Chat.BaseURL != "" {
		if a.phraser, err = phrase.New(cfg.Chat); err != nil {
			a.Close()
			return nil, err
		}
	}
	a.now = cfg.Answer.Now
	if a.now == nil {
		a.now = time.Now
	}
	a.dataDir = cfg.DataDir
	if cfg.QueryLog {
		if a.qlog, err = querylog.Open(querylog.Path(cfg.DataDir), cfg.QueryLogRetention, a.now); err != nil {
			a.Close()
			return nil, err
		}
	}
	a.openSources(cfg)
	return a, nil
}

// Close releases the index and the embedder.
func (a *App) Close() error {
	err := a.store.Close()
	if a.qlog != nil {
		err = errors.Join(err, a.qlog.Close())
	}
	return errors.Join(err, closeEmbedder(a.raw), a.lock.unlock())
}

// Run does the App's background work until ctx ends, then returns nil
// (or the first background task's error). `serve` runs it beside the HTTP
// server; one-shot commands never call it. With Config.Poll it polls the
// subscribed sources as they fall due (see package sources).
func (a *App) Run(ctx context.Context) error {
	if a.polling.poll && a.poller != nil {
		return a.poller.Run(ctx)
	}
	<-ctx.Done()
	return nil
}

// Search runs a post-level query.
func (a *App) Search(ctx context.Context, q semsearch.Query) ([]semsearch.Result, error) {
	return a.searcher.Search(ctx, q)
}

// SearchPage is Search for a results page: the query's date phrases are
// read as filters and ordering (unless q.Literal), and the facets of every
// candidate post come along.
func (a *App) SearchPage(ctx context.Context, q semsearch.Query) (semsearch.Page, error) {
	if err := q.Validate(); err != nil {
		return semsearch.Page{}, err
	}
	q, in, err := a.answerer.Interpret(ctx, q)
	if err != nil {
		return semsearch.Page{}, err
	}
	f, err := a.searcher.Find(ctx, q)
	if err != nil {
		return semsearch.Page{}, err
	}
	return semsearch.Page{Results: f.Results, Facets: f.Facets, Interpreted: in}, nil
}

// Ask answers a question with sentences quoted from the posts, phrased
// by the chat model when one is configured (a failed phrasing is logged
// and leaves the quoted answer as it is). With the query log on, the
// question, whether it was answered and its best posts are logged
// (nothing about who asked).
func (a *App) Ask(ctx context.Context, q semsearch.Query) (semsearch.Answer, error) {
	ans, err := a.answerer.Ask(ctx, q)
	if err != nil {
		return ans, err
	}
	if a.phraser != nil && ans.Answered {
		text, err := a.phraser.Phrase(ctx, ans.Query, ans.Sentences)
		switch {
		case err != nil:
			a.log.Warn("answer not phrased", "error", err)
		case text != "":
			ans.Phrased = &semsearch.Phrasing{Text: text, Model: a.phraser.Model()}
		}
	}
	if a.qlog == nil {
		return ans, nil
	}
	entry := semsearch.LoggedQuery{Query: ans.Query, Answered: ans.Answered, Confidence: ans.Confidence}
	for _, r := range ans.Results[:min(3, len(ans.Results))] {
		entry.Posts = append(entry.Posts, semsearch.GapPost{ID: r.ID, Title: r.Title, URL: r.URL})
	}
	if err := a.qlog.Record(entry); err != nil {
		a.log.Warn("query log: question not recorded", "error", err)
	}
	return ans, nil
}

// Gaps groups the logged questions since the given time that got no
// answer or a doubtful one (package gaps). The log is read whether or not
// this App writes it, so `semsearch gaps` works beside `serve`.
func (a *App) Gaps(ctx context.Context, since time.Time) ([]semsearch.Gap, error) {
	qs, err := querylog.Read(querylog.Path(a.dataDir), since)
	if err != nil {
		return nil, err
	}
	return gaps.Find(ctx, qs, a.emb, gaps.Options{})
}

// ScoreAnswer ranks a question's candidate answer sentences with their
// features (what `eval` and the calibration fit read).
func (a *App) ScoreAnswer(ctx context.Context, q semsearch.Query) (answer.Scored, error) {
	return a.answerer.Score(ctx, q)
}

// Related lists posts related to the post id.
func (a *App) Related(ctx context.Context, id string, k int) ([]semsearch.Result, error) {
	return a.searcher.Related(ctx, id, k)
}

// Similar lists posts similar to arbitrary text.
func (a *App) Similar(ctx context.Context, text string, k int) ([]semsearch.Result, error) {
	return a.searcher.Similar(ctx, text, k)
}

// Post returns one stored post.
func (a *App) Post(ctx context.Context, id string) (semsearch.Post, error) {
	return a.store.Post(ctx, id)
}

// Delete removes a post from every index, atomically, after any ingest
// writing the same post.
func (a *App) Delete(ctx context.Context, id string) error {
	unlock, err := a.posts.lock(ctx, []string{id})
	if err != nil {
		return err
	}
	defer unlock()
	return a.store.Delete(ctx, id)
}

// Stats describes the index.
func (a *App) Stats(ctx context.Context) (semsearch.Stats, error) {
	return a.store.Stats(ctx)
}

// Ready reports whether the index answers queries (a cheap check).
func (a *App) Ready(ctx context.Context) error {
	return a.store.Ready(ctx)
}

// Embedder is the uncached provider, served as /v1/embeddings.
func (a *App) Embedder() semsearch.Embedder { return a.raw }

// PostIDs lists every stored post, sorted.
func (a *App) PostIDs(ctx context.Context) ([]string, error) {
	return a.store.PostIDs(ctx)
}

// Verify checks the index's invariants (see index.Store.Verify).
func (a *App) Verify(ctx context.Context) error {
	return a.store.Verify(ctx)
}
