package nginx

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"strings"

	"golang.org/x/crypto/bcrypt"
)

// BcryptCost is the work factor of new htpasswd entries.
const BcryptCost = 12

// SetPassword returns htpasswd (the contents of an htpasswd file, possibly
// empty) with user's entry added or replaced by a bcrypt hash of password
// in the $2y$ form nginx and Apache read. Other lines are kept as they
// were. bcrypt draws its salt from crypto/rand.
func SetPassword(htpasswd []byte, user string, password []byte) ([]byte, error) {
	return setPassword(htpasswd, user, password, BcryptCost)
}

func setPassword(htpasswd []byte, user string, password []byte, cost int) ([]byte, error) {
	if err := checkUser(user); err != nil {
		return nil, err
	}
	if len(password) == 0 {
		return nil, errors.New("empty password")
	}
	if len(password) > 72 {
		return nil, errors.New("password longer than 72 bytes (bcrypt reads no further)")
	}
	hash, err := bcrypt.GenerateFromPassword(password, cost)
	if err != nil {
		return nil, err
	}
	// Go writes $2a$; the hash is the same, and $2y$ is what htpasswd
	// writes and every reader of these files understands.
	if bytes.HasPrefix(hash, []byte("$2a$")) {
		hash[2] = 'y'
	}
	entry := user + ":" + string(hash)
	var out strings.Builder
	found := false
	sc := bufio.NewScanner(bytes.NewReader(htpasswd))
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		name, _, ok := strings.Cut(line, ":")
		switch {
		case strings.TrimSpace(line) == "" || strings.HasPrefix(line, "#"):
		case !ok:
			return nil, fmt.Errorf("line %d: not user:hash", n)
		case name == user:
			if found {
				continue
			}
			line, found = entry, true
		}
		out.WriteString(line)
		out.WriteByte('\n')
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if !found {
		out.WriteString(entry)
		out.WriteByte('\n')
	}
	return []byte(out.String()), nil
}

// CheckPassword reports whether htpasswd holds user with password.
func CheckPassword(htpasswd []byte, user string, password []byte) bool {
	for _, line := range strings.Split(string(htpasswd), "\n") {
		name, hash, ok := strings.Cut(strings.TrimRight(line, "\r"), ":")
		if ok && name == user {
			return bcrypt.CompareHashAndPassword([]byte(hash), password) == nil
		}
	}
	return false
}

func checkUser(user string) error {
	if user == "" || len(user) > 255 {
		return errors.New("user name must be 1 to 255 characters")
	}
	for _, r := range user {
		if r == ':' || r <= ' ' || r == 0x7f {
			return fmt.Errorf("user name %q must not hold a colon, space or control character", user)
		}
	}
	return nil
}
