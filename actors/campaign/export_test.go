package campaign

// SetObserve installs the dispatch observer (memory-bound tests).
func SetObserve(d *Deps, f func(buffered, inflight int)) { d.observe = f }
