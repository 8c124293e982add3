package egresspolicy

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"strings"
	"time"

	"code.dny.dev/ssrf"
)

var (
	// ErrBlocked refuses an address the policy does not allow.
	ErrBlocked = errors.New("egresspolicy: address not allowed")
	// ErrURL refuses a URL by its form (scheme, credentials, host).
	ErrURL = errors.New("egresspolicy: url not allowed")
	// ErrUnresolved is a host with no addresses.
	ErrUnresolved = errors.New("egresspolicy: host does not resolve")
)

// Policy says where humd may connect. The zero value is the strict policy.
type Policy struct {
	// AllowPrivate admits every address (private, loopback, link-local and
	// the other special-purpose ranges) and plain http
	// (HUMD_ALLOW_PRIVATE_WEBHOOKS, for self-hosters and tests).
	AllowPrivate bool
	// Resolve looks up a host's addresses (default net.DefaultResolver). It
	// is used both when a URL is checked and when it is dialled.
	Resolve func(ctx context.Context, host string) ([]netip.Addr, error)
}

// guardian holds the registry-derived rules. Ports are not restricted:
// customers run receivers on any port of their public hosts.
var guardian = ssrf.New(ssrf.WithAnyPort())

// resolveTimeout bounds the lookup CheckURL makes while a request waits.
const resolveTimeout = 3 * time.Second

// CheckAddr answers nil if the policy allows connecting to a, else an
// error wrapping ErrBlocked.
func (p Policy) CheckAddr(a netip.Addr) error {
	if p.AllowPrivate {
		return nil
	}
	return checkAddr(a)
}

func checkAddr(a netip.Addr) error {
	if !a.IsValid() || a.Zone() != "" {
		// A zone scopes an address to one interface: link-local by nature.
		return fmt.Errorf("%w: %s", ErrBlocked, a)
	}
	// ::ffff:a.b.c.d is dialled as a.b.c.d, so it is judged as one. The
	// library judges every other IPv6 form on its own (embedded IPv4 or not).
	if err := guardian.SafeAddr(a.Unmap()); err != nil {
		return fmt.Errorf("%w: %w", ErrBlocked, err)
	}
	return nil
}

// CheckTarget checks a URL's form without resolving it: an absolute http
// or https URL without credentials; https, and not a localhost name,
// unless the policy allows private targets. Its addresses are judged when
// they are dialled. The error's text is fit for a field message.
func (p Policy) CheckTarget(raw string) error {
	_, err := p.target(raw)
	return err
}

func (p Policy) target(raw string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") || u.User != nil || u.Hostname() == "" {
		return "", urlError{"must be an absolute https URL", ErrURL}
	}
	if p.AllowPrivate {
		return u.Hostname(), nil
	}
	if u.Scheme != "https" {
		return "", urlError{"must use https", ErrURL}
	}
	host := strings.TrimSuffix(strings.ToLower(u.Hostname()), ".")
	if host == "localhost" || strings.HasSuffix(host, ".localhost") { // RFC 6761: always loopback
		return "", urlError{refusedAddress, ErrBlocked}
	}
	return u.Hostname(), nil
}

const refusedAddress = "must not point at a private, loopback, link-local or other special-purpose address"

// CheckURL is CheckTarget and, unless the policy allows private targets,
// a check of every address the host resolves to now. It is for saving a
// target; DialContext checks again on every connection. The error's text
// is fit for a field message.
func (p Policy) CheckURL(raw string) error {
	host, err := p.target(raw)
	if err != nil || p.AllowPrivate {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), resolveTimeout)
	defer cancel()
	addrs, err := p.lookup(ctx, host)
	if err != nil {
		return urlError{"host does not resolve", err}
	}
	for _, a := range addrs {
		if err := checkAddr(a); err != nil {
			return urlError{refusedAddress, err}
		}
	}
	return nil
}

// lookup answers host's addresses: itself for an IP literal, else the
// resolver's answer, never empty without an error.
func (p Policy) lookup(ctx context.Context, host string) ([]netip.Addr, error) {
	if a, err := netip.ParseAddr(host); err == nil {
		return []netip.Addr{a}, nil
	}
	resolve := p.Resolve
	if resolve == nil {
		resolve = func(ctx context.Context, host string) ([]netip.Addr, error) {
			return net.DefaultResolver.LookupNetIP(ctx, "ip", host)
		}
	}
	addrs, err := resolve(ctx, host)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrUnresolved, host, err)
	}
	if len(addrs) == 0 {
		return nil, fmt.Errorf("%w: %s", ErrUnresolved, host)
	}
	return addrs, nil
}

// urlError is a refusal whose text is a field message for the API and
// which still matches the package's sentinels.
type urlError struct {
	msg string
	err error
}

func (e urlError) Error() string { return e.msg }
func (e urlError) Unwrap() error { return e.err }
