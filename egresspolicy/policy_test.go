package egresspolicy

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"testing"
	"time"
)

// registries is every entry of the IANA IPv4 and IPv6 special-purpose
// address registries (plus multicast and site-local, which live in the
// address-space registries), each with addresses from its start and end,
// and the forms that carry an IPv4 address inside IPv6.
var registries = []struct {
	name  string
	addrs []string
}{
	{"0.0.0.0/8 this network (RFC 791)", []string{"0.0.0.0", "0.255.255.255"}},
	{"10.0.0.0/8 private-use (RFC 1918)", []string{"10.0.0.1", "10.255.255.255"}},
	{"100.64.0.0/10 shared address space, carrier-grade NAT (RFC 6598)", []string{"100.64.0.0", "100.64.0.1", "100.127.255.255"}},
	{"127.0.0.0/8 loopback (RFC 1122)", []string{"127.0.0.1", "127.255.255.254"}},
	{"169.254.0.0/16 link local (RFC 3927)", []string{"169.254.0.1", "169.254.169.254", "169.254.255.255"}},
	{"172.16.0.0/12 private-use (RFC 1918)", []string{"172.16.0.1", "172.31.255.255"}},
	{"192.0.0.0/24 IETF protocol assignments (RFC 6890)", []string{"192.0.0.0", "192.0.0.8", "192.0.0.9", "192.0.0.10", "192.0.0.170", "192.0.0.171", "192.0.0.255"}},
	{"192.0.2.0/24 documentation TEST-NET-1 (RFC 5737)", []string{"192.0.2.0", "192.0.2.255"}},
	{"192.31.196.0/24 AS112-v4 (RFC 7535)", []string{"192.31.196.1"}},
	{"192.52.193.0/24 AMT (RFC 7450)", []string{"192.52.193.1"}},
	{"192.88.99.0/24 6to4 relay anycast (RFC 7526)", []string{"192.88.99.1"}},
	{"192.168.0.0/16 private-use (RFC 1918)", []string{"192.168.0.1", "192.168.255.255"}},
	{"192.175.48.0/24 direct delegation AS112 (RFC 7534)", []string{"192.175.48.1"}},
	{"198.18.0.0/15 benchmarking (RFC 2544)", []string{"198.18.0.0", "198.18.0.1", "198.19.255.255"}},
	{"198.51.100.0/24 documentation TEST-NET-2 (RFC 5737)", []string{"198.51.100.1"}},
	{"203.0.113.0/24 documentation TEST-NET-3 (RFC 5737)", []string{"203.0.113.1"}},
	{"224.0.0.0/4 multicast (RFC 5771)", []string{"224.0.0.1", "239.255.255.255"}},
	{"240.0.0.0/4 reserved (RFC 1112)", []string{"240.0.0.1", "255.255.255.254"}},
	{"255.255.255.255/32 limited broadcast (RFC 919)", []string{"255.255.255.255"}},

	{"::1/128 loopback (RFC 4291)", []string{"::1"}},
	{"::/128 unspecified (RFC 4291)", []string{"::"}},
	{"::ffff:0:0/96 IPv4-mapped (RFC 4291), unwrapped", []string{"::ffff:127.0.0.1", "::ffff:10.0.0.1", "::ffff:100.64.0.1", "::ffff:169.254.169.254", "::ffff:0.0.0.0"}},
	{"::/96 IPv4-compatible (RFC 4291, deprecated)", []string{"::127.0.0.1", "::8.8.8.8"}},
	{"64:ff9b::/96 IPv4-IPv6 translation, NAT64 (RFC 6052)", []string{"64:ff9b::7f00:1", "64:ff9b::a00:1", "64:ff9b::808:808"}},
	{"64:ff9b:1::/48 local-use IPv4/IPv6 translation (RFC 8215)", []string{"64:ff9b:1::7f00:1", "64:ff9b:1:ffff:ffff:ffff:ffff:ffff"}},
	{"100::/64 discard-only (RFC 6666)", []string{"100::1"}},
	{"100:0:0:1::/64 dummy IPv6 prefix (RFC 9780)", []string{"100:0:0:1::1"}},
	{"2001::/23 IETF protocol assignments (RFC 2928)", []string{"2001::", "2001:1ff:ffff:ffff:ffff:ffff:ffff:ffff"}},
	{"2001::/32 Teredo (RFC 4380)", []string{"2001:0:4136:e378:8000:63bf:3fff:fdd2", "2001::7f00:1"}},
	{"2001:1::1/128 port control protocol anycast (RFC 7723)", []string{"2001:1::1"}},
	{"2001:1::2/128 traversal using relays around NAT anycast (RFC 8155)", []string{"2001:1::2"}},
	{"2001:1::3/128 DNS-SD service registration protocol anycast (RFC 9665)", []string{"2001:1::3"}},
	{"2001:2::/48 benchmarking (RFC 5180)", []string{"2001:2::1"}},
	{"2001:3::/32 AMT (RFC 7450)", []string{"2001:3::1"}},
	{"2001:4:112::/48 AS112-v6 (RFC 7535)", []string{"2001:4:112::1"}},
	{"2001:10::/28 deprecated ORCHID (RFC 4843)", []string{"2001:10::1"}},
	{"2001:20::/28 ORCHIDv2 (RFC 7343)", []string{"2001:20::1"}},
	{"2001:30::/28 drone remote ID DETs (RFC 9374)", []string{"2001:30::1"}},
	{"2001:db8::/32 documentation (RFC 3849)", []string{"2001:db8::1", "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff"}},
	{"2002::/16 6to4 (RFC 3056)", []string{"2002:7f00:1::", "2002:a00:1::1", "2002:808:808::1"}},
	{"2620:4f:8000::/48 direct delegation AS112 (RFC 7534)", []string{"2620:4f:8000::1"}},
	{"3fff::/20 documentation (RFC 9637)", []string{"3fff::1", "3fff:fff:ffff:ffff:ffff:ffff:ffff:ffff"}},
	{"5f00::/16 segment routing SIDs (RFC 9602)", []string{"5f00::1"}},
	{"fc00::/7 unique-local (RFC 4193)", []string{"fc00::1", "fd12:3456:789a::1"}},
	{"fe80::/10 link-local unicast (RFC 4291)", []string{"fe80::1", "febf:ffff:ffff:ffff:ffff:ffff:ffff:ffff"}},
	{"fec0::/10 site-local (RFC 3879, deprecated)", []string{"fec0::1"}},
	{"ff00::/8 multicast (RFC 4291)", []string{"ff02::1", "ff0e::1"}},
}

// public addresses pass.
var public = []string{"8.8.8.8", "1.1.1.1", "93.184.215.14", "100.63.255.255", "100.128.0.0", "198.17.255.255", "198.20.0.0",
	"::ffff:8.8.8.8", "2606:4700:4700::1111", "2001:4860:4860::8888", "2a00:1450:4001::1"}

// TestRegistriesRefused: every special-purpose address is refused by the
// address check, by a dial (before any packet is sent) and by CheckURL;
// AllowPrivate admits them all.
func TestRegistriesRefused(t *testing.T) {
	var strict Policy
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for _, r := range registries {
		for _, s := range r.addrs {
			a := netip.MustParseAddr(s)
			if err := strict.CheckAddr(a); !errors.Is(err, ErrBlocked) {
				t.Errorf("%s: CheckAddr(%s) = %v; want ErrBlocked", r.name, s, err)
			}
			if c, err := strict.DialContext(ctx, "tcp", net.JoinHostPort(s, "443")); !errors.Is(err, ErrBlocked) {
				if c != nil {
					c.Close()
				}
				t.Errorf("%s: dial %s = %v; want ErrBlocked", r.name, s, err)
			}
			u := "https://" + net.JoinHostPort(s, "443") + "/hook"
			if err := strict.CheckURL(u); !errors.Is(err, ErrBlocked) {
				t.Errorf("%s: CheckURL(%s) = %v; want ErrBlocked", r.name, u, err)
			}
			if err := (Policy{AllowPrivate: true}).CheckAddr(a); err != nil {
				t.Errorf("%s: CheckAddr(%s) with AllowPrivate = %v; want nil", r.name, s, err)
			}
		}
	}
	for _, s := range public {
		if err := strict.CheckAddr(netip.MustParseAddr(s)); err != nil {
			t.Errorf("CheckAddr(%s) = %v; want nil", s, err)
		}
		if u := "https://" + net.JoinHostPort(s, "8443") + "/hook"; strict.CheckURL(u) != nil {
			t.Errorf("CheckURL(%s) = %v; want nil", u, strict.CheckURL(u))
		}
	}
	if err := strict.CheckAddr(netip.MustParseAddr("fe80::1%eth0")); !errors.Is(err, ErrBlocked) {
		t.Errorf("CheckAddr(fe80::1%%eth0) = %v; want ErrBlocked", err)
	}
}

// stub is a resolver with fixed answers; it counts its lookups.
type stub struct {
	answers map[string][]string
	calls   int
}

func (s *stub) resolve(_ context.Context, host string) ([]netip.Addr, error) {
	s.calls++
	var out []netip.Addr
	for _, a := range s.answers[host] {
		out = append(out, netip.MustParseAddr(a))
	}
	if out == nil {
		return nil, fmt.Errorf("lookup %s: no such host", host)
	}
	return out, nil
}

// TestDialChecksTheAnswer: a name is judged by what it resolves to when
// it is dialled, so a name whose answer turned private since it was saved
// (DNS rebinding), or that answers a private address among public ones,
// is refused without connecting.
func TestDialChecksTheAnswer(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	accepted := make(chan struct{}, 4)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			accepted <- struct{}{}
			c.Close()
		}
	}()
	port := fmt.Sprint(ln.Addr().(*net.TCPAddr).Port)
	dns := &stub{answers: map[string][]string{"hooks.example.com": {"8.8.8.8"}, "mixed.example.com": {"8.8.8.8", "127.0.0.1"}}}
	p := Policy{Resolve: dns.resolve}
	if err := p.CheckURL("https://hooks.example.com:" + port + "/x"); err != nil {
		t.Fatalf("CheckURL with a public answer = %v", err)
	}
	dns.answers["hooks.example.com"] = []string{"127.0.0.1"} // rebinding
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for _, host := range []string{"hooks.example.com", "mixed.example.com", "127.0.0.1", "::ffff:127.0.0.1"} {
		if c, err := p.DialContext(ctx, "tcp", net.JoinHostPort(host, port)); !errors.Is(err, ErrBlocked) {
			if c != nil {
				c.Close()
			}
			t.Errorf("dial %s = %v; want ErrBlocked", host, err)
		}
	}
	if err := p.CheckURL("https://mixed.example.com/x"); !errors.Is(err, ErrBlocked) {
		t.Errorf("CheckURL(mixed answer) = %v; want ErrBlocked", err)
	}
	if err := p.CheckURL("https://nowhere.example.com/x"); !errors.Is(err, ErrUnresolved) {
		t.Errorf("CheckURL(no answer) = %v; want ErrUnresolved", err)
	}
	select {
	case <-accepted:
		t.Fatal("a refused dial reached the listener")
	default:
	}

	// The same resolver with AllowPrivate connects: the refusals above were
	// the policy's, not a failed lookup.
	open := Policy{AllowPrivate: true, Resolve: dns.resolve}
	c, err := open.DialContext(ctx, "tcp", net.JoinHostPort("hooks.example.com", port))
	if err != nil {
		t.Fatalf("dial with AllowPrivate = %v", err)
	}
	c.Close()
	select {
	case <-accepted:
	case <-ctx.Done():
		t.Fatal("the allowed dial never reached the listener")
	}
}

// TestCheckURL: the form of a target; addresses are TestRegistriesRefused's.
func TestCheckURL(t *testing.T) {
	dns := &stub{answers: map[string][]string{"hooks.example.com": {"93.184.215.14"}}}
	strict, open := Policy{Resolve: dns.resolve}, Policy{AllowPrivate: true, Resolve: dns.resolve}
	for _, tc := range []struct {
		url          string
		strict, open error
	}{
		{"https://hooks.example.com/x", nil, nil},
		{"https://hooks.example.com:8443/x?a=1", nil, nil},
		{"http://hooks.example.com/x", ErrURL, nil},
		{"http://127.0.0.1:8080/x", ErrURL, nil},
		{"https://127.0.0.1/x", ErrBlocked, nil},
		{"https://localhost/x", ErrBlocked, nil},
		{"https://LOCALHOST./x", ErrBlocked, nil},
		{"https://api.localhost/x", ErrBlocked, nil},
		{"https://[fe80::1%25eth0]/x", ErrBlocked, nil},
		{"https://user:pw@hooks.example.com/x", ErrURL, ErrURL},
		{"ftp://hooks.example.com/x", ErrURL, ErrURL},
		{"/relative", ErrURL, ErrURL},
		{"not a url", ErrURL, ErrURL},
		{"https://unknown.example.com/x", ErrUnresolved, nil},
	} {
		if err := strict.CheckURL(tc.url); !errors.Is(err, tc.strict) || (tc.strict == nil) != (err == nil) {
			t.Errorf("strict CheckURL(%q) = %v; want %v", tc.url, err, tc.strict)
		}
		if err := open.CheckURL(tc.url); !errors.Is(err, tc.open) || (tc.open == nil) != (err == nil) {
			t.Errorf("AllowPrivate CheckURL(%q) = %v; want %v", tc.url, err, tc.open)
		}
	}
}
