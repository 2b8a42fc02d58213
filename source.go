package semsearch

// Name is how a source is shown: its title, else its URL.
func (s Source) Name() string {
	if s.Title != "" {
		return s.Title
	}
	return s.URL
}
