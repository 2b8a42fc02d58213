package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/semsearch/semsearch/app"
	"github.com/semsearch/semsearch/phrase"
)

// globalFlags are the flags every command takes. Each defaults to its
// SEMSEARCH_* environment variable, then to a built-in value.
type globalFlags struct {
	data, models, model  string
	threads              int
	embedURL, embedModel string
	embedKey             string
	embedDims            int
	embedTimeout         time.Duration
	chat                 phrase.Config
	backend              string
	weaviate             app.WeaviateConfig
	vectorIndex          string
	logLevel             string
	logJSON              bool
	envErrs              []error // malformed SEMSEARCH_* values
}

func (g *globalFlags) register(cmd *cobra.Command) {
	f := cmd.PersistentFlags()
	f.StringVar(&g.data, "data", envString("SEMSEARCH_DATA", "./data"), "index directory (env SEMSEARCH_DATA)")
	f.StringVar(&g.models, "models", envString("SEMSEARCH_MODELS", "./models"), "local model weights `DIR`, filled by 'make model' (env SEMSEARCH_MODELS)")
	f.StringVar(&g.model, "model", envString("SEMSEARCH_MODEL", app.DefaultModel), "local embedding model: bge-small-en-v1.5 or all-MiniLM-L6-v2 (env SEMSEARCH_MODEL)")
	f.IntVar(&g.threads, "threads", g.envInt("SEMSEARCH_THREADS", 0), "local inference threads, 0 = all cores (env SEMSEARCH_THREADS)")
	f.StringVar(&g.embedURL, "embed-url", envString("SEMSEARCH_EMBED_URL", ""), "OpenAI-compatible embedding server base URL, e.g. http://127.0.0.1:11434/v1; replaces the local model (env SEMSEARCH_EMBED_URL)")
	f.StringVar(&g.embedModel, "embed-model", envString("SEMSEARCH_EMBED_MODEL", ""), "model name on the embedding server (env SEMSEARCH_EMBED_MODEL)")
	f.StringVar(&g.embedKey, "embed-key", envString("SEMSEARCH_EMBED_KEY", ""), "API key for the embedding server (env SEMSEARCH_EMBED_KEY)")
	f.IntVar(&g.embedDims, "embed-dims", g.envInt("SEMSEARCH_EMBED_DIMS", 0), "embedding dimensions to request, 0 = the model's own (env SEMSEARCH_EMBED_DIMS)")
	f.DurationVar(&g.embedTimeout, "embed-timeout", g.envDuration("SEMSEARCH_EMBED_TIMEOUT", 30*time.Second), "per-request timeout for the embedding server (env SEMSEARCH_EMBED_TIMEOUT)")
	f.StringVar(&g.chat.BaseURL, "chat-url", envString("SEMSEARCH_CHAT_URL", ""), "OpenAI-compatible chat server base URL, e.g. http://127.0.0.1:11434/v1: ask then also phrases each answer from its quoted sentences, citing them; off when empty (env SEMSEARCH_CHAT_URL)")
	f.StringVar(&g.chat.Model, "chat-model", envString("SEMSEARCH_CHAT_MODEL", ""), "model name on the chat server (env SEMSEARCH_CHAT_MODEL)")
	f.StringVar(&g.chat.APIKey, "chat-key", envString("SEMSEARCH_CHAT_KEY", ""), "API key for the chat server (env SEMSEARCH_CHAT_KEY)")
	f.DurationVar(&g.chat.Timeout, "chat-timeout", g.envDuration("SEMSEARCH_CHAT_TIMEOUT", phrase.DefaultTimeout), "bound on phrasing one answer; past it the answer is given unphrased (env SEMSEARCH_CHAT_TIMEOUT)")
	f.StringVar(&g.backend, "backend", envString("SEMSEARCH_BACKEND", app.BackendEmbedded), "where the index lives: embedded (SQLite in --data) or weaviate (a cluster at --weaviate-url) (env SEMSEARCH_BACKEND)")
	f.StringVar(&g.weaviate.URL, "weaviate-url", envString("SEMSEARCH_WEAVIATE_URL", ""), "Weaviate base URL, e.g. http://127.0.0.1:8080 (env SEMSEARCH_WEAVIATE_URL)")
	f.StringVar(&g.weaviate.APIKey, "weaviate-key", envString("SEMSEARCH_WEAVIATE_KEY", ""), "Weaviate API key (env SEMSEARCH_WEAVIATE_KEY)")
	f.StringVar(&g.weaviate.Prefix, "weaviate-prefix", envString("SEMSEARCH_WEAVIATE_PREFIX", "Semsearch"), "class name prefix, one per index (env SEMSEARCH_WEAVIATE_PREFIX)")
	f.DurationVar(&g.weaviate.Timeout, "weaviate-timeout", g.envDuration("SEMSEARCH_WEAVIATE_TIMEOUT", 30*time.Second), "bound on every Weaviate call, retries included (env SEMSEARCH_WEAVIATE_TIMEOUT)")
	f.IntVar(&g.weaviate.Replication, "weaviate-replication", g.envInt("SEMSEARCH_WEAVIATE_REPLICATION", 0), "replication factor of new classes, 0 = 3 when the cluster has ≥ 3 nodes (env SEMSEARCH_WEAVIATE_REPLICATION)")
	f.StringVar(&g.weaviate.Consistency, "weaviate-consistency", envString("SEMSEARCH_WEAVIATE_CONSISTENCY", "QUORUM"), "consistency of reads and writes: ONE, QUORUM or ALL (env SEMSEARCH_WEAVIATE_CONSISTENCY)")
	f.BoolVar(&g.weaviate.AllowUnreplicated, "weaviate-allow-unreplicated", false, "accept classes with replication 1 on a multi-node cluster (a node down then silently drops its share of every result)")
	f.StringVar(&g.vectorIndex, "vector-index", envString("SEMSEARCH_VECTOR_INDEX", app.VectorFast), "in-memory vector index: fast (int8 scan, exact re-scoring) or exact (chromem-go, the reference) (env SEMSEARCH_VECTOR_INDEX)")
	f.StringVar(&g.logLevel, "log-level", envString("SEMSEARCH_LOG_LEVEL", "info"), "debug, info, warn or error (env SEMSEARCH_LOG_LEVEL)")
	f.BoolVar(&g.logJSON, "log-json", envString("SEMSEARCH_LOG_FORMAT", "") == "json", "log as JSON lines (env SEMSEARCH_LOG_FORMAT=json)")
}

// appConfig turns the global flags into an app.Config.
func (env *cliEnv) appConfig() app.Config {
	g := env.flags
	return app.Config{
		DataDir:      g.data,
		ModelsDir:    g.models,
		Model:        g.model,
		Threads:      g.threads,
		EmbedURL:     g.embedURL,
		EmbedModel:   g.embedModel,
		EmbedKey:     g.embedKey,
		EmbedDims:    g.embedDims,
		EmbedTimeout: g.embedTimeout,
		Chat:         g.chat,
		Backend:      g.backend,
		Weaviate:     g.weaviate,
		VectorIndex:  g.vectorIndex,
		Logger:       env.log,
	}
}

// openApp opens the index described by the flags; the caller closes it.
func (env *cliEnv) openApp(ctx context.Context, mutate ...func(*app.Config)) (*app.App, error) {
	cfg := env.appConfig()
	for _, m := range mutate {
		m(&cfg)
	}
	return app.Open(ctx, cfg)
}

// withApp opens the index, runs fn and closes it.
func (env *cliEnv) withApp(ctx context.Context, fn func(*app.App) error) error {
	a, err := env.openApp(ctx)
	if err != nil {
		return err
	}
	defer a.Close()
	return fn(a)
}

func newLogger(w io.Writer, level string, asJSON bool) (*slog.Logger, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("--log-level %q: want debug, info, warn or error", level)
	}
	opts := &slog.HandlerOptions{Level: l}
	if asJSON {
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	}
	return slog.New(slog.NewTextHandler(w, opts)), nil
}

func envString(key, def string) string {
	if v, ok := os.LookupEnv(key); ok && strings.TrimSpace(v) != "" {
		return v
	}
	return def
}

// envList reads a comma-separated list from the environment; unset or
// blank gives nil.
func envList(key string) []string {
	var out []string
	for _, v := range strings.Split(os.Getenv(key), ",") {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}

// envInt and envDuration read a default from the environment; a malformed
// value is remembered and reported before any command runs.
func (g *globalFlags) envInt(key string, def int) int {
	return envParsed(g, key, def, strconv.Atoi, "an integer")
}

func (g *globalFlags) envDuration(key string, def time.Duration) time.Duration {
	return envParsed(g, key, def, time.ParseDuration, "a duration such as 30s")
}

func envParsed[T any](g *globalFlags, key string, def T, parse func(string) (T, error), want string) T {
	v, ok := os.LookupEnv(key)
	if !ok || v == "" {
		return def
	}
	x, err := parse(v)
	if err != nil {
		g.envErrs = append(g.envErrs, fmt.Errorf("%s=%q: want %s", key, v, want))
		return def
	}
	return x
}
