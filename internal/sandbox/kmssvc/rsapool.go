package kmssvc

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"fmt"
	"runtime"
	"sync"
)

// wrappingSpecs are the RSA wrapping key sizes GetParametersForImport offers.
var wrappingSpecs = map[string]int{"RSA_2048": 2048, "RSA_3072": 3072, "RSA_4096": 4096}

// poolDepth is how many fresh key pairs are kept ready per spec, and
// fillers how many goroutines generate them: an RSA-4096 pair costs about a
// second of CPU, as much as the 1/s GetParametersForImport quota allows a
// caller to consume, so one generator alone falls behind a busy caller.
const (
	poolDepth = 4
	fillers   = 2
)

// rsaPool keeps a few freshly generated RSA key pairs per size, filled in
// the background (RSA-4096 generation takes about a second). Every pair
// is handed out once: a token's wrapping key is never reused.
type rsaPool struct {
	mu    sync.Mutex
	ready map[int]chan *rsa.PrivateKey
	spare map[int][]*rsa.PrivateKey // prewarmed pairs, handed out first
	done  chan struct{}
	once  sync.Once
}

func newRSAPool() *rsaPool {
	return &rsaPool{ready: map[int]chan *rsa.PrivateKey{}, spare: map[int][]*rsa.PrivateKey{}, done: make(chan struct{})}
}

// get returns a fresh key pair of bits, generating one now if the pool is
// empty. The first request for a size starts its background filler.
func (p *rsaPool) get(bits int) (*rsa.PrivateKey, error) {
	if k := p.takeSpare(bits); k != nil {
		return k, nil
	}
	ch := p.channel(bits)
	select {
	case k := <-ch:
		return k, nil
	default:
		return rsa.GenerateKey(rand.Reader, bits)
	}
}

func (p *rsaPool) channel(bits int) chan *rsa.PrivateKey {
	p.mu.Lock()
	defer p.mu.Unlock()
	ch := p.ready[bits]
	if ch == nil {
		ch = make(chan *rsa.PrivateKey, poolDepth)
		p.ready[bits] = ch
		for range fillers {
			go p.fill(bits, ch)
		}
	}
	return ch
}

func (p *rsaPool) fill(bits int, ch chan *rsa.PrivateKey) {
	for {
		k, err := rsa.GenerateKey(rand.Reader, bits)
		if err != nil {
			return
		}
		select {
		case ch <- k:
		case <-p.done:
			return
		}
	}
}

func (p *rsaPool) close() { p.once.Do(func() { close(p.done) }) }

func (p *rsaPool) takeSpare(bits int) *rsa.PrivateKey {
	p.mu.Lock()
	defer p.mu.Unlock()
	ks := p.spare[bits]
	if len(ks) == 0 {
		return nil
	}
	p.spare[bits] = ks[1:]
	return ks[0]
}

// prewarm generates n pairs of bits now (on every core) and keeps them for
// later calls; each is still handed out once.
func (p *rsaPool) prewarm(ctx context.Context, bits, n int) error {
	keys := make(chan *rsa.PrivateKey, n)
	jobs := make(chan struct{}, n)
	for range n {
		jobs <- struct{}{}
	}
	close(jobs)
	var wg sync.WaitGroup
	errs := make(chan error, runtime.NumCPU())
	for range runtime.NumCPU() {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range jobs {
				if ctx.Err() != nil {
					return
				}
				k, err := rsa.GenerateKey(rand.Reader, bits)
				if err != nil {
					errs <- err
					return
				}
				keys <- k
			}
		}()
	}
	wg.Wait()
	close(keys)
	p.mu.Lock()
	for k := range keys {
		p.spare[bits] = append(p.spare[bits], k)
	}
	p.mu.Unlock()
	select {
	case err := <-errs:
		return err
	default:
		return ctx.Err()
	}
}

// PrewarmWrappingKeys generates n RSA wrapping key pairs of spec
// (RSA_2048, RSA_3072, RSA_4096) now, so that the next n
// GetParametersForImport calls do not wait for key generation — AWS keeps
// such keys ready; a benchmark of the caller's pacing should not measure
// the sandbox's prime search.
func (s *Service) PrewarmWrappingKeys(ctx context.Context, spec string, n int) error {
	bits, ok := wrappingSpecs[spec]
	if !ok {
		return fmt.Errorf("prewarm wrapping keys: unknown spec %q", spec)
	}
	return s.pool.prewarm(ctx, bits, n)
}
