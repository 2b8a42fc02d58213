package crawl

import (
	"strings"
	"testing"
)

func TestParseSitemap(t *testing.T) {
	tests := []struct {
		name      string
		data      string
		urls      int
		maps      int
		truncated bool
		err       string
	}{
		{"urlset", urlset("https://x", [2]string{"/a", "2025-01-01"}, [2]string{"/b", ""}), 2, 0, false, ""},
		{"gzip", gz(urlset("https://x", [2]string{"/a", ""})), 1, 0, false, ""},
		{"index", sitemapIndex("https://x/1.xml", "https://x/2.xml"), 0, 2, false, ""},
		{"bounded", urlset("https://x", [2]string{"/a", ""}, [2]string{"/b", ""}, [2]string{"/c", ""}), 2, 0, true, ""},
		{"no namespace, odd case", `<URLSET><url><LOC> https://x/a </LOC></url></URLSET>`, 1, 0, false, ""},
		{"html", `<html><body>no</body></html>`, 0, 0, false, "not a sitemap"},
		{"rss", `<rss><channel></channel></rss>`, 0, 0, false, "not a sitemap"},
		{"damaged tail keeps the head", urlset("https://x", [2]string{"/a", ""}) + "<url><loc>&bad", 1, 0, false, ""},
		{"empty loc skipped", `<urlset><url><loc></loc></url><url><loc>https://x/a</loc></url></urlset>`, 1, 0, false, ""},
		{"huge", "<urlset>" + strings.Repeat("<url><loc>https://x/aaaaaaaaaa</loc></url>", 2000) + "</urlset>", 0, 0, false, "larger than"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			max, limit := 1000, int64(20_000)
			if tt.name == "bounded" {
				max = 2
			}
			sm, truncated, err := ParseSitemap([]byte(tt.data), max, limit)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("err = %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(sm.URLs) != tt.urls || len(sm.Sitemaps) != tt.maps || truncated != tt.truncated {
				t.Errorf("got %d urls, %d sitemaps, truncated %v", len(sm.URLs), len(sm.Sitemaps), truncated)
			}
			if tt.urls > 0 && !strings.HasPrefix(sm.URLs[0].Loc, "https://x/") {
				t.Errorf("loc %q", sm.URLs[0].Loc)
			}
		})
	}
	if !IsSitemap([]byte(gz(sitemapIndex("https://x/1.xml")))) || IsSitemap([]byte("<rss/>")) || IsSitemap([]byte{0x1f, 0x8b, 0}) {
		t.Error("IsSitemap")
	}
}

func FuzzParseSitemap(f *testing.F) {
	f.Add([]byte(urlset("https://x", [2]string{"/a", "2025-01-01"})))
	f.Add([]byte(sitemapIndex("https://x/1.xml")))
	f.Add([]byte(gz(urlset("https://x", [2]string{"/a", ""}))))
	f.Add([]byte("<urlset><url><loc>"))
	f.Fuzz(func(t *testing.T, data []byte) {
		sm, _, err := ParseSitemap(data, 100, 1<<20)
		if err == nil && len(sm.URLs)+len(sm.Sitemaps) > 100 {
			t.Fatalf("%d entries over the bound", len(sm.URLs)+len(sm.Sitemaps))
		}
		IsSitemap(data)
		nextPage(data, mustParse("https://x/"))
	})
}
