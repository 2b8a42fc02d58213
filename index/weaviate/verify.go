package weaviate

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/weaviate/weaviate-go-client/v5/weaviate/filters"
)

// Verify checks the index's invariants and returns an error naming every
// violation: each post has exactly the chunks of its generation that it
// recorded. Chunks no reader can see (of an interrupted write or delete)
// are not a violation: Verify deletes them.
func (s *Store) Verify(ctx context.Context) error {
	posts := map[string]postRow{}
	err := s.scan(ctx, s.names.post, fields("postId", "gen", "chunkCount"), func(raw json.RawMessage) error {
		var r postRow
		if err := json.Unmarshal(raw, &r); err != nil {
			return err
		}
		posts[r.PostID] = r
		return nil
	})
	if err != nil {
		return fmt.Errorf("verify index: %w", err)
	}
	have := map[string]int{}
	var invisible []string // post IDs with chunks of another generation
	err = s.scan(ctx, s.names.chunk, fields("postId", "gen"), func(raw json.RawMessage) error {
		var r chunkRow
		if err := json.Unmarshal(raw, &r); err != nil {
			return err
		}
		if p, ok := posts[r.PostID]; ok && p.Gen == r.Gen {
			have[r.PostID]++
		} else {
			invisible = append(invisible, r.PostID)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("verify index: %w", err)
	}
	var problems []string
	for id, p := range posts {
		if have[id] != p.ChunkCount {
			problems = append(problems, fmt.Sprintf("post %s has %d chunks, recorded %d", id, have[id], p.ChunkCount))
		}
	}
	if len(invisible) > 0 {
		s.log.InfoContext(ctx, "weaviate: sweeping invisible chunks", "chunks", len(invisible))
		for _, id := range distinct(invisible) {
			w := filters.Where().WithPath([]string{"postId"}).WithOperator(filters.Equal).WithValueText(id)
			if p, ok := posts[id]; ok {
				w = filters.Where().WithOperator(filters.And).WithOperands([]*filters.WhereBuilder{w,
					filters.Where().WithPath([]string{"gen"}).WithOperator(filters.NotEqual).WithValueNumber(float64(p.Gen))})
			}
			if err := s.deleteChunks(ctx, w); err != nil {
				return fmt.Errorf("verify index: sweep: %w", err)
			}
		}
	}
	if len(problems) > 0 {
		return errors.New("verify index: " + strings.Join(problems, "; "))
	}
	return nil
}
