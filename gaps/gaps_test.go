package gaps

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/semsearch/semsearch"
)

// topicEmbedder maps a question to a unit vector on the axis of the first
// topic word it holds, so questions about one topic are similar.
type topicEmbedder struct{}

var topics = []string{"sourdough", "swiftui", "bgp"}

func (topicEmbedder) EmbedQuery(_ context.Context, text string) ([]float32, error) {
	v := make([]float32, len(topics)+1)
	v[len(topics)] = 1
	for i, t := range topics {
		if strings.Contains(strings.ToLower(text), t) {
			v[i], v[len(topics)] = 1, 0
			break
		}
	}
	return v, nil
}

func TestFind_Groups(t *testing.T) {
	at := func(h int) time.Time { return time.Date(2026, 12, 1, h, 0, 0, 0, time.UTC) }
	p1 := semsearch.GapPost{ID: "p1", Title: "Bread? no, B-trees"}
	p2 := semsearch.GapPost{ID: "p2", Title: "Networking notes"}
	qs := []semsearch.LoggedQuery{
		{Time: at(1), Query: "sourdough cold proof time", Confidence: 0.1, Posts: []semsearch.GapPost{p1}},
		{Time: at(2), Query: "Sourdough  cold proof TIME", Confidence: 0.2, Posts: []semsearch.GapPost{p1}},
		{Time: at(3), Query: "how long to proof sourdough", Confidence: 0.05, Posts: []semsearch.GapPost{p1, p2}},
		{Time: at(4), Query: "bgp route reflectors", Confidence: 0.3, Posts: []semsearch.GapPost{p2}},
		{Time: at(5), Query: "fsync durability", Answered: true, Confidence: 0.9, Posts: []semsearch.GapPost{p1}}, // answered: no gap
		{Time: at(6), Query: "swiftui widget", Answered: true, Confidence: 0.35},                                  // doubtful: a gap
	}
	got, err := Find(context.Background(), qs, topicEmbedder{}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 {
		t.Fatalf("%d groups: %+v", len(got), got)
	}
	g := got[0]
	if g.Query != "sourdough cold proof time" || g.Count != 3 || len(g.Queries) != 2 || !g.LastAsked.Equal(at(3)) ||
		g.Confidence != 0.2 || len(g.Closest) != 2 || g.Closest[0].ID != "p1" || g.Closest[0].Count != 3 {
		t.Errorf("first group %+v", g)
	}
	// Equal counts: the most recently asked first.
	if got[1].Query != "swiftui widget" || got[2].Query != "bgp route reflectors" {
		t.Errorf("order %q, %q", got[1].Query, got[2].Query)
	}
	if none, _ := Find(context.Background(), nil, topicEmbedder{}, Options{}); len(none) != 0 {
		t.Errorf("gaps of nothing: %+v", none)
	}
}
