package egresspolicy

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"syscall"
	"time"
)

// IdleTimeout is how long humd keeps an idle outbound connection. It is
// shorter than common servers keep theirs (Node's default is 5 s), so humd
// drops a connection before the server does rather than reusing one the
// server is closing.
const IdleTimeout = 4 * time.Second

// DialTimeout bounds one connection attempt.
const DialTimeout = 5 * time.Second

// DialContext connects to address ("host:port") on a TCP network, after
// resolving host with the policy's resolver and checking every answer. If
// any answer is refused the dial is refused (a name that answers both
// public and private addresses is not trusted with either); otherwise it
// connects to the checked addresses in turn, and the socket's address is
// checked again before connecting. A refusal wraps ErrBlocked.
func (p Policy) DialContext(ctx context.Context, network, address string) (net.Conn, error) {
	switch network {
	case "tcp", "tcp4", "tcp6":
	default:
		return nil, fmt.Errorf("%w: network %s", ErrBlocked, network)
	}
	host, portStr, err := net.SplitHostPort(address)
	if err != nil {
		return nil, err
	}
	port, err := net.DefaultResolver.LookupPort(ctx, network, portStr)
	if err != nil {
		return nil, err
	}
	addrs, err := p.lookup(ctx, host)
	if err != nil {
		return nil, err
	}
	d := &net.Dialer{Timeout: DialTimeout}
	if !p.AllowPrivate {
		for _, a := range addrs {
			if err := checkAddr(a); err != nil {
				return nil, fmt.Errorf("dial %s: %w", address, err)
			}
		}
		d.Control = control
	}
	var errs []error
	for _, a := range addrs {
		a = a.Unmap()
		if network == "tcp4" && !a.Is4() || network == "tcp6" && !a.Is6() {
			continue
		}
		c, err := d.DialContext(ctx, network, netip.AddrPortFrom(a, uint16(port)).String())
		if err == nil {
			return c, nil
		}
		errs = append(errs, err)
		if ctx.Err() != nil {
			break
		}
	}
	if len(errs) == 0 {
		return nil, fmt.Errorf("dial %s: %w: no %s address", address, ErrUnresolved, network)
	}
	return nil, errors.Join(errs...)
}

// control judges the address the socket is about to connect to, whatever
// produced it.
func control(network, address string, _ syscall.RawConn) error {
	if network != "tcp4" && network != "tcp6" {
		return fmt.Errorf("%w: network %s", ErrBlocked, network)
	}
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("%w: %s", ErrBlocked, address)
	}
	return checkAddr(ap.Addr())
}

// HTTPTransport answers a net/http transport for net/http users (HTTP
// tools, the MCP SDK): every connection, a redirect's included, is dialled
// through DialContext, and no proxy is used, since a proxy would connect
// on humd's behalf past the check.
func (p Policy) HTTPTransport() *http.Transport {
	return &http.Transport{
		DialContext:         p.DialContext,
		TLSHandshakeTimeout: 5 * time.Second,
		MaxIdleConns:        64,
		MaxIdleConnsPerHost: 4,
		IdleConnTimeout:     IdleTimeout,
		ForceAttemptHTTP2:   true,
	}
}
