// Package dashboard renders byok serve's pages from a view.State with
// html/template: overview (keys with age bars, expiry, rotations used,
// next due and window; compliance now and its trend as a server-drawn SVG),
// findings with filters and fixes, runs with per-key step timelines, and the
// audit chain. Assets are embedded; pages load nothing from elsewhere and run
// no script, so they work offline. It only reads: the two actions are forms
// posting to package serve's handlers.
package dashboard
