package eval

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"

	"github.com/semsearch/semsearch"
)

// RelatedJudgment is one target post of a related-posts evaluation: the
// post, named by its title or a distinctive phrase of its text, and the
// other posts a reader would want next, named the same way and mapped to a
// grade (2 = strongly related, 1 = related).
type RelatedJudgment struct {
	Post    string         `json:"post"`
	Related map[string]int `json:"related"`
}

// RelatedK is the cut-off of the related-posts metrics: a "related
// reading" box shows about five posts.
const RelatedK = 5

// LoadRelated reads a JSON-lines file of related-posts judgments
// ({"post": "...", "related": {"title or phrase": grade}}), in file order.
func LoadRelated(path string) ([]RelatedJudgment, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("load related judgments: %w", err)
	}
	defer f.Close()
	var js []RelatedJudgment
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for line := 1; sc.Scan(); line++ {
		if strings.TrimSpace(sc.Text()) == "" {
			continue
		}
		var j RelatedJudgment
		if err := json.Unmarshal(sc.Bytes(), &j); err != nil {
			return nil, fmt.Errorf("load related judgments %s:%d: %w", path, line, err)
		}
		if strings.TrimSpace(j.Post) == "" || len(j.Related) == 0 {
			return nil, fmt.Errorf("load related judgments %s:%d: want a non-empty \"post\" and \"related\"", path, line)
		}
		js = append(js, j)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("load related judgments %s: %w", path, err)
	}
	return js, nil
}

// Resolve returns the ID of the one post in posts that needle names: the
// post whose title equals it, else the post whose text contains it as a
// phrase (see Matches). No match, or several posts matching the same way,
// is an error naming the needle.
func Resolve(posts []semsearch.Post, needle string) (string, error) {
	k := normalize(needle)
	var byTitle, byText []string
	for _, p := range posts {
		switch {
		case normalize(p.Title) == k:
			byTitle = append(byTitle, p.ID)
		case strings.Contains(normalize(p.Text), k):
			byText = append(byText, p.ID)
		}
	}
	for _, ids := range [][]string{byTitle, byText} {
		switch len(ids) {
		case 0:
			continue
		case 1:
			return ids[0], nil
		default:
			return "", fmt.Errorf("%q names %d posts (%s)", needle, len(ids), strings.Join(ids, ", "))
		}
	}
	return "", fmt.Errorf("%q names no post", needle)
}

// RelatedScores are the related-posts metrics of one system, means over the
// targets. Strong5 is averaged over the targets with a grade-2 post only.
type RelatedScores struct {
	System  string  `json:"system"`
	NDCG5   float64 `json:"ndcg@5"`
	P5      float64 `json:"p@5"`      // share of the top 5 that is judged related (grade ≥ 1)
	Strong5 float64 `json:"strong@5"` // share of the grade-2 posts that are in the top 5
	Self    int     `json:"self"`     // results that were the target itself (must be 0)
	Empty   int     `json:"empty"`    // targets given no related post at all
	Targets int     `json:"targets"`
}

// RelatedReport is the `eval --related --json` body: the engine's related
// ranking beside the TF-IDF baseline, on the same posts and judgments.
type RelatedReport struct {
	Dataset string          `json:"dataset"` // "related"
	Systems []RelatedScores `json:"systems"`
}

// RelatedFunc returns the IDs of the posts related to post id, best first;
// id itself should not be among them.
type RelatedFunc func(ctx context.Context, id string, k int) ([]string, error)

// resolvedJudgment is a judgment with its needles resolved to post IDs.
type resolvedJudgment struct {
	target string
	grades map[string]int // post ID → grade
}

// resolveJudgments resolves every needle of js against posts. An ambiguous
// or unknown needle is an invalid error: the judgments do not fit the posts.
func resolveJudgments(js []RelatedJudgment, posts []semsearch.Post) ([]resolvedJudgment, error) {
	out := make([]resolvedJudgment, 0, len(js))
	for _, j := range js {
		target, err := Resolve(posts, j.Post)
		if err != nil {
			return nil, semsearch.Errorf(semsearch.EInvalid, "related judgments: target %v", err)
		}
		r := resolvedJudgment{target: target, grades: map[string]int{}}
		for needle, g := range j.Related {
			id, err := Resolve(posts, needle)
			if err != nil {
				return nil, semsearch.Errorf(semsearch.EInvalid, "related judgments of %q: %v", j.Post, err)
			}
			if g > r.grades[id] {
				r.grades[id] = g
			}
		}
		out = append(out, r)
	}
	return out, nil
}

// EvaluateRelated asks related for the top RelatedK posts of every judged
// target and scores them; system names the ranking in the result.
func EvaluateRelated(ctx context.Context, system string, js []RelatedJudgment, posts []semsearch.Post, related RelatedFunc) (RelatedScores, error) {
	rs, err := resolveJudgments(js, posts)
	if err != nil {
		return RelatedScores{}, err
	}
	runs := make([][]string, len(rs))
	for i, r := range rs {
		if err := ctx.Err(); err != nil {
			return RelatedScores{}, err
		}
		ids, err := related(ctx, r.target, RelatedK)
		if err != nil {
			return RelatedScores{}, fmt.Errorf("related to %s: %w", r.target, err)
		}
		runs[i] = ids
	}
	s := scoreRelated(rs, runs)
	s.System = system
	return s, nil
}

// scoreRelated scores runs[i], the ranked post IDs for rs[i], at RelatedK.
func scoreRelated(rs []resolvedJudgment, runs [][]string) RelatedScores {
	var s RelatedScores
	strongTargets := 0
	for i, r := range rs {
		ranked := dedupe(top(runs[i], RelatedK))
		if len(ranked) == 0 {
			s.Empty++
		}
		related, strong, strongAll := 0, 0, 0
		for _, id := range ranked {
			if id == r.target {
				s.Self++
			}
			if g := r.grades[id]; g > 0 {
				related++
				if g >= 2 {
					strong++
				}
			}
		}
		for _, g := range r.grades {
			if g >= 2 {
				strongAll++
			}
		}
		s.NDCG5 += NDCG(ranked, r.grades, RelatedK)
		s.P5 += float64(related) / RelatedK
		if strongAll > 0 {
			strongTargets++
			s.Strong5 += float64(strong) / float64(min(strongAll, RelatedK))
		}
		s.Targets++
	}
	if s.Targets > 0 {
		s.NDCG5 /= float64(s.Targets)
		s.P5 /= float64(s.Targets)
	}
	if strongTargets > 0 {
		s.Strong5 /= float64(strongTargets)
	}
	return s
}

// RelatedEngine is what a related-posts evaluation needs: the ranking under
// test and the stored posts (to resolve needles and build the baseline).
type RelatedEngine interface {
	Related(ctx context.Context, id string, k int) ([]semsearch.Result, error)
	PostIDs(ctx context.Context) ([]string, error)
	Post(ctx context.Context, id string) (semsearch.Post, error)
}

// RunRelated scores the engine's related ranking and the TF-IDF baseline
// (NewTFIDF over the same posts) on the judgments in path.
func RunRelated(ctx context.Context, path string, eng RelatedEngine) (RelatedReport, error) {
	js, err := LoadRelated(path)
	if err != nil {
		return RelatedReport{}, semsearch.Errorf(semsearch.EInvalid, "%v", err)
	}
	ids, err := eng.PostIDs(ctx)
	if err != nil {
		return RelatedReport{}, err
	}
	posts := make([]semsearch.Post, 0, len(ids))
	for _, id := range ids {
		p, err := eng.Post(ctx, id)
		if err != nil {
			return RelatedReport{}, fmt.Errorf("post %s: %w", id, err)
		}
		posts = append(posts, p)
	}
	rep := RelatedReport{Dataset: "related"}
	engine, err := EvaluateRelated(ctx, "related", js, posts, func(ctx context.Context, id string, k int) ([]string, error) {
		res, err := eng.Related(ctx, id, k)
		if err != nil {
			return nil, err
		}
		out := make([]string, len(res))
		for i, r := range res {
			out[i] = r.ID
		}
		return out, nil
	})
	if err != nil {
		return RelatedReport{}, err
	}
	tfidf := NewTFIDF(posts)
	base, err := EvaluateRelated(ctx, "tfidf", js, posts, func(_ context.Context, id string, k int) ([]string, error) {
		return tfidf.Related(id, k), nil
	})
	if err != nil {
		return RelatedReport{}, err
	}
	rep.Systems = append(rep.Systems, engine, base)
	return rep, nil
}
