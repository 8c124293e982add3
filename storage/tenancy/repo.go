package tenancy

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/humd/humd/storage"
)

// KeyPrefix starts every generated API key (D-2).
const KeyPrefix = "hum_live_"

// Repo reads and writes orgs, users, memberships, invites and API keys.
type Repo struct {
	Store storage.Store
	// Now is the time source for timestamps; nil means time.Now.
	Now func() time.Time
	// ValidateHours checks a business_hours_json value (D-12); nil accepts any object.
	ValidateHours func(raw json.RawMessage) error

	// orgMu serializes membership changes per org so the last-admin rule
	// cannot be raced by two concurrent demotions.
	orgMu sync.Map // org id -> *sync.Mutex

	// orgs caches Org records: every inbound text and call reads its org, and
	// an org changes only through this Repo (PatchOrg), which drops the entry.
	// cacheMu orders a reader's store after a patch's drop (orgGen says a
	// patch happened while the reader was on disk).
	orgs    sync.Map // org id -> *Org
	cacheMu sync.Mutex
	orgGen  uint64
}

func (r *Repo) now() time.Time {
	if r.Now != nil {
		return r.Now().UTC()
	}
	return time.Now().UTC()
}

func (r *Repo) lockOrg(orgID string) func() {
	m, _ := r.orgMu.LoadOrStore(orgID, &sync.Mutex{})
	mu := m.(*sync.Mutex)
	mu.Lock()
	return mu.Unlock
}

func keyOrg(org string) []byte            { return storage.Key("org", org) }
func keyUser(user string) []byte          { return storage.Key("user", user) }
func keyUserEmail(email string) []byte    { return storage.Key("user-email", strings.ToLower(email)) }
func keyMember(org, user string) []byte   { return storage.Key("member", org, user) }
func keyUserOrg(user, org string) []byte  { return storage.Key("user-org", user, org) }
func keyInvite(org, invite string) []byte { return storage.Key("invite", org, invite) }
func keyAPIKey(org, key string) []byte    { return storage.Key("apikey", org, key) }
func keyAPIKeyHash(hash string) []byte    { return storage.Key("apikey-hash", hash) }
func keyBootstrap() []byte                { return storage.Key("meta", "bootstrap") }
func prefixMembers(org string) []byte     { return storage.Prefix("member", org) }
func prefixInvites(org string) []byte     { return storage.Prefix("invite", org) }
func prefixUserOrgs(user string) []byte   { return storage.Prefix("user-org", user) }
func prefixAPIKeys(org string) []byte     { return storage.Prefix("apikey", org) }

// HashKey is how a secret is looked up: hex SHA-256.
func HashKey(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// NewSecret returns a fresh API key: hum_live_ and 32 base62 characters.
func NewSecret() string {
	const alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	buf := make([]byte, 32)
	out := make([]byte, 32)
	if _, err := rand.Read(buf); err != nil {
		panic(fmt.Sprintf("tenancy: crypto/rand: %v", err))
	}
	for i, b := range buf {
		out[i] = alphabet[int(b)%len(alphabet)]
	}
	return KeyPrefix + string(out)
}

// Defaults for the system replies of D-13.
func defaultHelpText(name string) string {
	return name + ": reply to this message to reach us. Msg&data rates may apply. Reply STOP to opt out."
}

func defaultStopText(name string) string {
	return name + ": you are unsubscribed and will receive no more messages. Reply START to resubscribe."
}

func defaultStartText(name string) string {
	return name + ": you are subscribed again. Reply HELP for help, STOP to opt out."
}

// BootstrapResult is what the first start created.
type BootstrapResult struct {
	Created bool
	Org     *Org
	User    *User
	Secret  string // the admin key, shown once
}

// Bootstrap creates, on an empty store, an org, an admin user and a site-admin
// API key. secret is used as the key when non-empty (HUMD_ADMIN_KEY), taken as it
// is; otherwise a random hum_live_ key is made. On a store that was already
// bootstrapped it does nothing and reports Created=false.
func (r *Repo) Bootstrap(secret string) (*BootstrapResult, error) {
	ok, err := r.Store.Has(keyBootstrap())
	if err != nil {
		return nil, fmt.Errorf("tenancy: bootstrap: %w", err)
	}
	if ok {
		return &BootstrapResult{}, nil
	}
	if secret == "" {
		secret = NewSecret()
	}
	now := r.now()
	user := &User{ID: storage.NewID("user"), Email: "admin@localhost", Name: "Admin", SiteAdmin: true, CreatedAt: now}
	org := newOrg("My Organization", now)
	b := r.Store.NewBatch()
	putUser(b, user)
	putOrg(b, org)
	putMember(b, &Membership{OrgID: org.ID, UserID: user.ID, Role: Admin, CreatedAt: now})
	putKey(b, &APIKey{ID: storage.NewID("key"), OrgID: org.ID, Name: "bootstrap admin", Role: Admin,
		OwnerUserID: user.ID, SiteAdmin: true, Prefix: displayPrefix(secret), Hash: HashKey(secret), CreatedAt: now})
	b.SetJSON(keyBootstrap(), map[string]any{"org_id": org.ID, "at": now})
	if err := b.Commit(storage.Sync); err != nil {
		return nil, fmt.Errorf("tenancy: bootstrap: %w", err)
	}
	return &BootstrapResult{Created: true, Org: org, User: user, Secret: secret}, nil
}

func newOrg(name string, now time.Time) *Org {
	return &Org{ID: storage.NewID("org"), Name: name, Timezone: "UTC", BusinessHoursJSON: json.RawMessage("null"),
		HelpText: defaultHelpText(name), StopText: defaultStopText(name), StartText: defaultStartText(name),
		CreatedAt: now, UpdatedAt: now}
}

func displayPrefix(secret string) string {
	if len(secret) > 13 {
		return secret[:13]
	}
	return secret
}

func putOrg(b *storage.Batch, o *Org) { b.SetJSON(keyOrg(o.ID), o.record()) }
func putUser(b *storage.Batch, u *User) {
	b.SetJSON(keyUser(u.ID), u)
	b.Set(keyUserEmail(u.Email), []byte(u.ID))
}

func putMember(b *storage.Batch, m *Membership) {
	b.SetJSON(keyMember(m.OrgID, m.UserID), m)
	b.Set(keyUserOrg(m.UserID, m.OrgID), []byte(m.Role))
}

func putKey(b *storage.Batch, k *APIKey) {
	b.SetJSON(keyAPIKey(k.OrgID, k.ID), k)
	b.Set(keyAPIKeyHash(k.Hash), []byte(k.OrgID+"/"+k.ID))
}

// Authenticate resolves a presented secret to a Principal. Unknown, revoked,
// expired (per r.Now) and orphaned keys (owner no longer a member) all answer
// storage.ErrUnauthorized.
func (r *Repo) Authenticate(secret string) (*Principal, error) {
	if secret == "" {
		return nil, fmt.Errorf("tenancy: no api key: %w", storage.ErrUnauthorized)
	}
	ref, err := r.Store.Get(keyAPIKeyHash(HashKey(secret)))
	if errors.Is(err, storage.ErrNotFound) {
		return nil, fmt.Errorf("tenancy: unknown api key: %w", storage.ErrUnauthorized)
	}
	if err != nil {
		return nil, err
	}
	orgID, keyID, ok := strings.Cut(string(ref), "/")
	if !ok {
		return nil, fmt.Errorf("tenancy: corrupt key index %q", ref)
	}
	var k APIKey
	if err := storage.GetJSON(r.Store, keyAPIKey(orgID, keyID), &k); err != nil {
		return nil, fmt.Errorf("tenancy: load key: %w", err)
	}
	if k.RevokedAt != nil {
		return nil, fmt.Errorf("tenancy: revoked api key: %w", storage.ErrUnauthorized)
	}
	if k.ExpiresAt != nil && !r.now().Before(*k.ExpiresAt) {
		return nil, fmt.Errorf("tenancy: api key expired at %s: %w", k.ExpiresAt.Format(time.RFC3339), storage.ErrUnauthorized)
	}
	m, err := r.membership(orgID, k.OwnerUserID)
	if errors.Is(err, storage.ErrNotFound) {
		return nil, fmt.Errorf("tenancy: key owner left the org: %w", storage.ErrUnauthorized)
	}
	if err != nil {
		return nil, err
	}
	p := &Principal{OrgID: orgID, UserID: k.OwnerUserID, KeyID: k.ID, KeyName: k.Name, Role: Lower(k.Role, m.Role),
		Scopes: k.Scopes, ExpiresAt: k.ExpiresAt}
	if k.SiteAdmin {
		u, err := r.user(k.OwnerUserID)
		if err != nil {
			return nil, err
		}
		p.SiteAdmin = u.SiteAdmin
	}
	return p, nil
}

func (r *Repo) membership(orgID, userID string) (*Membership, error) {
	var m Membership
	if err := storage.GetJSON(r.Store, keyMember(orgID, userID), &m); err != nil {
		return nil, fmt.Errorf("tenancy: membership %s/%s: %w", orgID, userID, err)
	}
	return &m, nil
}

func (r *Repo) user(id string) (*User, error) {
	var u User
	if err := storage.GetJSON(r.Store, keyUser(id), &u); err != nil {
		return nil, fmt.Errorf("tenancy: user %s: %w", id, err)
	}
	return &u, nil
}

func (r *Repo) userByEmail(email string) (*User, error) {
	id, err := r.Store.Get(keyUserEmail(email))
	if err != nil {
		return nil, fmt.Errorf("tenancy: user %s: %w", email, err)
	}
	return r.user(string(id))
}

// Org loads an org.
func (r *Repo) Org(id string) (*Org, error) {
	if v, ok := r.orgs.Load(id); ok {
		o := *v.(*Org)
		return &o, nil
	}
	r.cacheMu.Lock()
	gen := r.orgGen
	r.cacheMu.Unlock()
	var rec orgRecord
	if err := storage.GetJSON(r.Store, keyOrg(id), &rec); err != nil {
		return nil, fmt.Errorf("tenancy: org %s: %w", id, err)
	}
	o := rec.org()
	r.cacheMu.Lock()
	if r.orgGen == gen {
		c := *o
		r.orgs.Store(id, &c)
	}
	r.cacheMu.Unlock()
	return o, nil
}

// forgetOrg drops a changed org from the cache (after its commit).
func (r *Repo) forgetOrg(id string) {
	r.cacheMu.Lock()
	r.orgGen++
	r.orgs.Delete(id)
	r.cacheMu.Unlock()
}
