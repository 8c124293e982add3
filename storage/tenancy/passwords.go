package tenancy

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"

	"github.com/humd/humd/storage"
)

// argon2id parameters: RFC 9106's second recommended option scaled to
// OWASP's minimum (19 MiB, 2 passes, 1 lane), which keeps a sign-in well
// under a second on a small server. They are written into every hash, so
// raising them later leaves the old hashes readable.
const (
	argonMemory  = 19 * 1024
	argonTime    = 2
	argonThreads = 1
	argonKeyLen  = 32
	argonSaltLen = 16
)

// Password length bounds: at least 8 characters (NIST SP 800-63B), and a
// cap so that hashing is not a way to make the server work on megabytes.
const (
	MinPasswordLen = 8
	MaxPasswordLen = 256
)

// ErrBadHash is a stored password hash humd cannot read.
var ErrBadHash = errors.New("tenancy: unreadable password hash")

func keyUserPassword(user string) []byte { return storage.Key("user-pw", user) }

// passwordRecord is a user's password as stored: the PHC string of its
// argon2id hash and when it was set.
type passwordRecord struct {
	Hash      string    `json:"hash"`
	ChangedAt time.Time `json:"changed_at"`
}

// HashPassword is the PHC string of password under argon2id with a fresh
// salt: $argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash> (unpadded base64).
func HashPassword(password string) string {
	salt := make([]byte, argonSaltLen)
	if _, err := rand.Read(salt); err != nil {
		panic(fmt.Sprintf("tenancy: crypto/rand: %v", err))
	}
	sum := argon2.IDKey([]byte(password), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemory, argonTime, argonThreads,
		b64.EncodeToString(salt), b64.EncodeToString(sum))
}

// VerifyPassword reports whether password matches a PHC string made by
// HashPassword, with the parameters the string names.
func VerifyPassword(encoded, password string) (bool, error) {
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" {
		return false, ErrBadHash
	}
	var version int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return false, ErrBadHash
	}
	var m, t uint32
	var p uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil || m == 0 || t == 0 || p == 0 || m > 1<<22 || t > 100 {
		return false, ErrBadHash
	}
	salt, err := base64.RawStdEncoding.DecodeString(parts[4])
	if err != nil {
		return false, ErrBadHash
	}
	want, err := base64.RawStdEncoding.DecodeString(parts[5])
	if err != nil || len(want) == 0 || len(want) > 1024 {
		return false, ErrBadHash
	}
	got := argon2.IDKey([]byte(password), salt, t, m, p, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}

// dummyHash is verified against when the account does not exist, so an
// unknown email takes as long to refuse as a wrong password.
var dummyHash = HashPassword("humd: no such account")

// CheckPassword finds the user of email whose password is password. An
// unknown email, a user without a password and a wrong password all answer
// storage.ErrUnauthorized, after the same amount of hashing.
func (r *Repo) CheckPassword(email, password string) (*User, error) {
	if len(password) > MaxPasswordLen {
		return nil, fmt.Errorf("tenancy: password too long: %w", storage.ErrUnauthorized)
	}
	u, err := r.userByEmail(strings.TrimSpace(email))
	var rec passwordRecord
	switch {
	case errors.Is(err, storage.ErrNotFound):
		_, _ = VerifyPassword(dummyHash, password)
		return nil, fmt.Errorf("tenancy: no user %q: %w", email, storage.ErrUnauthorized)
	case err != nil:
		return nil, err
	}
	err = storage.GetJSON(r.Store, keyUserPassword(u.ID), &rec)
	if errors.Is(err, storage.ErrNotFound) {
		_, _ = VerifyPassword(dummyHash, password)
		return nil, fmt.Errorf("tenancy: user %s has no password: %w", u.ID, storage.ErrUnauthorized)
	}
	if err != nil {
		return nil, err
	}
	ok, err := VerifyPassword(rec.Hash, password)
	if err != nil {
		return nil, fmt.Errorf("tenancy: user %s: %w", u.ID, err)
	}
	if !ok {
		return nil, fmt.Errorf("tenancy: wrong password for %s: %w", u.ID, storage.ErrUnauthorized)
	}
	return u, nil
}

// CheckPasswordRules validates a new password (field names the input).
func CheckPasswordRules(field, password string) error {
	if n := utf8.RuneCountInString(password); n < MinPasswordLen || len(password) > MaxPasswordLen {
		return storage.Invalid(field, fmt.Sprintf("must be %d to %d characters", MinPasswordLen, MaxPasswordLen))
	}
	return nil
}

// SetPassword sets a user's password. The caller revokes the user's
// browser sessions (storage/websessions.RevokeUser): a changed password
// signs out everywhere.
func (r *Repo) SetPassword(userID, password string) error {
	if err := CheckPasswordRules("password", password); err != nil {
		return err
	}
	if _, err := r.user(userID); err != nil {
		return err
	}
	b := r.Store.NewBatch()
	b.SetJSON(keyUserPassword(userID), &passwordRecord{Hash: HashPassword(password), ChangedAt: r.now()})
	if err := b.Commit(storage.Sync); err != nil {
		return fmt.Errorf("tenancy: set password: %w", err)
	}
	return nil
}

// HasPassword reports whether the user has set a password.
func (r *Repo) HasPassword(userID string) (bool, error) {
	return r.Store.Has(keyUserPassword(userID))
}
