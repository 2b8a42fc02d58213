// Package browsertest drives the web page, served by the real server on a
// fake service, in headless Chromium (chromedp). It has tests only; they
// skip when Chromium is missing, except in CI (CI=true) where they fail.
package browsertest
