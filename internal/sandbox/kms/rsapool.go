package kmssvc

import (
	"crypto/rand"
	"crypto/rsa"
	"sync"
)

// wrappingSpecs are the RSA wrapping key sizes GetParametersForImport offers.
var wrappingSpecs = map[string]int{"RSA_2048": 2048, "RSA_3072": 3072, "RSA_4096": 4096}

// poolDepth is how many fresh key pairs are kept ready per spec.
const poolDepth = 2

// rsaPool keeps a few freshly generated RSA key pairs per size, filled in
// the background (RSA-4096 generation takes about a second). Every pair
// is handed out once: a token's wrapping key is never reused.
type rsaPool struct {
	mu    sync.Mutex
	ready map[int]chan *rsa.PrivateKey
	done  chan struct{}
	once  sync.Once
}

func newRSAPool() *rsaPool {
	return &rsaPool{ready: map[int]chan *rsa.PrivateKey{}, done: make(chan struct{})}
}

// get returns a fresh key pair of bits, generating one now if the pool is
// empty. The first request for a size starts its background filler.
func (p *rsaPool) get(bits int) (*rsa.PrivateKey, error) {
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
		go p.fill(bits, ch)
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
