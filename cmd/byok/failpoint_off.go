//go:build !byokfailpoints

package main

// failpointFromEnv is empty in release builds: the failpoints that the kill
// tests use exist only with -tags byokfailpoints.
func failpointFromEnv() string { return "" }
