package mcpserver

// RuneRange exposes runeRange to the tests.
var RuneRange = runeRange
