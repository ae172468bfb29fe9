// Package delay waits out the latency the sandbox injects into a call.
//
// A Go timer fires late by up to a millisecond on Linux: the runtime
// sleeps in epoll_wait, whose timeout is whole milliseconds, truncated, so
// the last fraction of a millisecond is slept as a full one (about 0.5 ms
// late on average, 2.5 % of a 20 ms injected latency). On Linux the wait
// is a timerfd read instead, through the same network poller: the kernel
// wakes the poller when the timer expires, to the microsecond. Elsewhere
// it is a time.Timer.
//
// It only waits; which calls are delayed and by how much is package
// faults' decision.
package delay
