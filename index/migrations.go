package index

// FTSTokenizer is the FTS5 tokenizer of the lexical index. "porter
// unicode61" folds case and diacritics and stems English words, so "writes"
// matches "write". Changing it needs a new migration that rebuilds
// chunks_fts; the value here is what migration 1 used.
const FTSTokenizer = "porter unicode61 remove_diacritics 2"

// migrations are applied in order; a database's version (PRAGMA
// user_version) is the number of migrations it has applied. Never edit or
// reorder an entry once released: append a new one.
var migrations = []string{
	// 1: catalog, chunks with their vectors, lexical index, embedding cache.
	`
CREATE TABLE meta (
	id    INTEGER PRIMARY KEY CHECK (id = 1),
	model TEXT NOT NULL,
	dims  INTEGER NOT NULL
);

CREATE TABLE posts (
	id            TEXT PRIMARY KEY,
	title         TEXT NOT NULL,
	url           TEXT NOT NULL DEFAULT '',
	authors       TEXT NOT NULL DEFAULT '[]', -- JSON array of strings
	published     TEXT NOT NULL DEFAULT '',   -- RFC 3339, '' when unknown
	updated       TEXT NOT NULL DEFAULT '',
	tags          TEXT NOT NULL DEFAULT '[]', -- JSON array of strings
	source_title  TEXT NOT NULL DEFAULT '',
	source_url    TEXT NOT NULL DEFAULT '',
	text          TEXT NOT NULL,
	content_hash  TEXT NOT NULL,              -- '' after a model change: forces a re-embed
	summary       TEXT NOT NULL DEFAULT '',
	reading_time  TEXT NOT NULL DEFAULT '',
	title_derived INTEGER NOT NULL DEFAULT 0,
	ingested_at   TEXT NOT NULL
);

-- pk is the rowid shared with chunks_fts. The vector comes before text so
-- that loading vectors at start-up never walks a long text's overflow pages.
CREATE TABLE chunks (
	pk      INTEGER PRIMARY KEY,
	id      TEXT NOT NULL UNIQUE,
	post_id TEXT NOT NULL REFERENCES posts(id) ON DELETE CASCADE,
	ordinal INTEGER NOT NULL,
	heading TEXT NOT NULL DEFAULT '',
	start   INTEGER NOT NULL,
	"end"   INTEGER NOT NULL,
	vector  BLOB NOT NULL,                    -- float32 little-endian, L2-normalised
	text    TEXT NOT NULL
);
CREATE INDEX chunks_post ON chunks(post_id, ordinal);

-- Contentless: the text lives in chunks; the FTS table keeps only the
-- inverted index, keyed by chunks.pk.
CREATE VIRTUAL TABLE chunks_fts USING fts5(
	title, heading, text,
	content = '', contentless_delete = 1,
	tokenize = '` + FTSTokenizer + `'
);

-- Cascaded deletes fire triggers too, so deleting a post clears its FTS rows.
CREATE TRIGGER chunks_fts_delete AFTER DELETE ON chunks BEGIN
	DELETE FROM chunks_fts WHERE rowid = old.pk;
END;

CREATE TABLE embed_cache (
	model     TEXT NOT NULL,
	text_hash TEXT NOT NULL,
	vector    BLOB NOT NULL,
	PRIMARY KEY (model, text_hash)
) WITHOUT ROWID;
`,
	// 2: a log of changed posts, so that a process holding the index in
	// memory (semsearch serve) applies writes made by another process
	// (semsearch ingest) before answering; see Store.sync. post_id '' means
	// "everything" (a model change).
	`
CREATE TABLE changes (
	seq     INTEGER PRIMARY KEY AUTOINCREMENT,
	post_id TEXT NOT NULL
);
`,
	// 3: the source registry (subscriptions and their polling state), which
	// posts each source contributed, and the pages a crawl or a directory
	// scan read. Times are unix milliseconds, 0 = never.
	`
CREATE TABLE sources (
	id            INTEGER PRIMARY KEY,
	url           TEXT NOT NULL UNIQUE,
	kind          TEXT NOT NULL,
	site_url      TEXT NOT NULL DEFAULT '',
	title         TEXT NOT NULL DEFAULT '',
	allow_private INTEGER NOT NULL DEFAULT 0,
	interval_ms   INTEGER NOT NULL DEFAULT 0,  -- 0: adapt
	status        TEXT NOT NULL DEFAULT 'new',
	etag          TEXT NOT NULL DEFAULT '',
	last_modified TEXT NOT NULL DEFAULT '',
	body_hash     TEXT NOT NULL DEFAULT '',
	added         INTEGER NOT NULL,
	last_checked  INTEGER NOT NULL DEFAULT 0,
	next_check    INTEGER NOT NULL DEFAULT 0,
	http_status   INTEGER NOT NULL DEFAULT 0,
	errors        INTEGER NOT NULL DEFAULT 0,
	last_error    TEXT NOT NULL DEFAULT '',
	cadence_ms    INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX sources_due ON sources(next_check) WHERE status != 'gone';

CREATE TABLE post_sources (
	source_id INTEGER NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
	post_id   TEXT NOT NULL REFERENCES posts(id) ON DELETE CASCADE,
	PRIMARY KEY (source_id, post_id)
) WITHOUT ROWID;
CREATE INDEX post_sources_post ON post_sources(post_id);

CREATE TABLE source_pages (
	source_id INTEGER NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
	url       TEXT NOT NULL,
	lastmod   TEXT NOT NULL DEFAULT '',
	post_ids  TEXT NOT NULL DEFAULT '[]',      -- JSON array of strings
	checked   INTEGER NOT NULL DEFAULT 0,
	etag      TEXT NOT NULL DEFAULT '',
	last_modified TEXT NOT NULL DEFAULT '',
	PRIMARY KEY (source_id, url)
) WITHOUT ROWID;
`,
}
