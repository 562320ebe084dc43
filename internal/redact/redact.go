// Package redact finds secrets in log keys and text so that they never leave
// the process: [Redactor.SensitiveKey] says whether a field's value must be
// dropped because of its key, and [Redactor.String] replaces secret-shaped
// parts of a string with [Filtered].
//
// Both are on the hot path of every log record: SensitiveKey never
// allocates, and String returns its argument itself, without allocating,
// when a one-pass prefilter sees no hint of a secret; only then do the
// detectors (some of them regular expressions) run.
//
// # Sensitive keys
//
// The default terms are Sentry's sensitive denylist (sentry-go's
// defaultSensitiveTerms: auth, bearer, credentials, csrf, identity, jwt, key,
// passwd, password, pwd, saml, secret, session, sid, sso, token, xsrf) plus
// api_key, apikey, private, cookie, authorization, passphrase, credential,
// credit_card, card_number, card_num, cvv, cvc, ssn and dsn. Sentry matches
// a term anywhere in the lower-cased key; this package does too, except
// inside ordinary words, by these rules:
//
//  1. A key equal to one of Config.AllowKeys (ignoring case) is not sensitive.
//  2. The key is split into words at every byte that is not an ASCII letter
//     or digit (bytes of non-ASCII characters count as letters), and at
//     camelCase boundaries: before an upper-case letter that follows a
//     lower-case letter or a digit ("apiKey" is api|key), and before the last
//     of several upper-case letters followed by a lower-case one ("APIKey" is
//     api|key). Words are ASCII-lower-cased and joined; terms are
//     lower-cased with everything but letters and digits removed, so
//     "card_number" is the term "cardnumber".
//  3. An occurrence of a term makes the key sensitive when:
//     (a) it runs over several words and begins at the start of one and ends
//     at the end of another, or just before a final "s" ("Pass_Word",
//     "CardNumber", "X-Api-Keys"); an occurrence over several words that
//     starts or ends inside a word does not count ("processId" holds no
//     "sid", "sam_lee" no "saml");
//     (b) it is a whole word, or a whole word but a final "s" ("key", "keys",
//     "tokens");
//     (c) it lies inside one word, is at least 4 letters long, and that word
//     is not an ordinary word that covers it (see 4): "dbpasswordhash",
//     "oauth", "accesstoken", "jsessionid";
//     (d) it lies inside one word, is 3 letters or fewer (jwt, key, pwd, sid,
//     sso, cvv, cvc, ssn, dsn, or a short Config.ExtraKeys term), touches the
//     start or the end (before an optional final "s") of the word, and that
//     word is not an ordinary word that covers it: "apikey", "keyid",
//     "phpsessid", "ssologin", "apikeys"; but not "consider", "inside",
//     "insider", "president", "resident", "residence", "subsidy",
//     "processor", "professor", "classname", where the term sits in the
//     middle of the word.
//  4. Ordinary words, which excuse an occurrence they contain: author
//     (also as the end of a word: coauthor), authored, authoring, authorship,
//     authority and authorities (also as word ends: certificateauthority),
//     authoritative; monkey and donkey (also as word ends), turkey, hockey,
//     jockey, whiskey, turnkey, lackey, hotkey; words beginning with keyboard,
//     keynote, keystroke, keyword, keypad, keyframe, keyspace, keystone,
//     keyhole, side (sidebar, sidecar, sidekiq), secretar (secretary,
//     secretariat); ssid, bssid, essid, processid, classid; lasso, espresso;
//     obsession, possession; tokenizer. Each word also in its plural with
//     "s". An ordinary word never excuses a term it equals, so an ExtraKeys
//     term "monkey" still matches "monkey".
//
// So these keys are sensitive: api_key, apikey, X-Api-Key, X-Auth-Token,
// sessionid, JSESSIONID, PHPSESSID, DB_PASSWORD, client_secret, access_token,
// Authorization, Set-Cookie, privateKey. Deliberately sensitive too, though
// often harmless, because a secret is worse to leak than an ordinary value is
// to lose: keys (a list of key names or of keys), primary_key, cache_key,
// idempotency_key (key as a whole word), total_tokens, identity_provider,
// is_private, authenticated, sessions; put such keys in Config.AllowKeys.
// Not sensitive: author, authors, authorId, inside, consider, side, sidebar,
// keyboard, keynote, monkey, turkey, hockey, residence, president, subsidy,
// tokenizer, ssid, processor, process_id, processId. Case folding is ASCII
// only.
//
// # Secret-shaped text
//
// String replaces only the secret part and keeps its context:
//
//   - key=value, key: value, key => value and "--key value" where the key is
//     sensitive (as above): password=hunter2, "api_key": "abc",
//     Authorization: Bearer abc (the authentication scheme stays), URL
//     query parameters (?token=abc&x=1), cookies, connection strings. An
//     unquoted value ends at white space, a quote, '&', ',' or ';'; a quoted
//     value at its closing quote; a value in brackets ({...}, [...]) at the
//     matching bracket. After "key: " (colon, then space, unquoted key) a
//     value that is a plain lower-case word followed by another is taken for
//     prose and kept: "invalid token: signature is invalid".
//   - the password in a URL's userinfo (postgres://user:[Filtered]@host), a
//     user name that looks like a token (16+ characters with a digit), the
//     key of a Sentry DSN (https://[Filtered]@o1.ingest.sentry.io/1), and
//     the secret path of Slack and Discord webhook URLs;
//   - Bearer tokens (8+ characters with a digit, or 24+) and Basic
//     credentials (base64 of user:password) in text;
//   - JWTs (eyJ...eyJ... with or without a signature);
//   - PEM private-key blocks, whole (to the end of the text if truncated);
//   - AWS access key ids (AKIA, ASIA, ABIA, ACCA), GitHub (ghp_, gho_, ghu_,
//     ghs_, ghr_, github_pat_), Slack (xoxb- and kin, xapp-), Stripe
//     (sk_live_, rk_live_, sk_test_, rk_test_), Google API (AIza...), GitLab
//     (glpat-), npm (npm_), Hugging Face (hf_), OpenAI and Anthropic
//     (sk-...) tokens; AWS secret keys are caught by their key
//     (aws_secret_access_key=...);
//   - payment card numbers: 13-19 digits with a card network's leading
//     digits (2[2-7], 3[0,4-9], 4, 5, 6) and a valid Luhn check digit, as
//     one run or in groups of 4 (the last 1-4) or 4-6-5/4-6-4 separated by
//     single spaces or dashes, not touching letters, digits or a decimal
//     point;
//   - matches of Config.ExtraPatterns, whole.
//
// UUIDs, hashes, hex ids, timestamps, IP addresses, phone numbers, versions,
// paths and URLs without credentials are left alone. String is idempotent:
// String(String(s)) == String(s); a Filtered already in the text is kept.
package redact

import (
	"regexp"
)

// Filtered replaces every secret.
const Filtered = "[Filtered]"

// Config configures a [Redactor].
type Config struct {
	// ExtraKeys are further sensitive key terms, matched as the default
	// terms are (case-insensitive, as a word or word part; see the package
	// documentation).
	ExtraKeys []string
	// AllowKeys are keys (whole keys, case-insensitive) never treated as
	// sensitive, for ordinary fields that happen to contain a term.
	AllowKeys []string
	// ExtraPatterns are further secret-shaped patterns; String replaces
	// each whole match with Filtered. A pattern without a literal prefix
	// (see [regexp.Regexp.LiteralPrefix]) runs on every string, so prefer
	// patterns that start with literal text. Nil entries are ignored.
	ExtraPatterns []*regexp.Regexp
	// DisableDefaults drops the default key terms and all built-in
	// secret-shaped detectors. ExtraKeys (also in key=value text),
	// AllowKeys and ExtraPatterns still apply.
	DisableDefaults bool
}

// Redactor finds secrets in keys and text. It is immutable after [New] and
// safe for concurrent use.
type Redactor struct {
	keys     *keyMatcher
	defaults bool
	triggers *[256]uint8
	patterns []pattern
}

type pattern struct {
	re     *regexp.Regexp
	prefix string // literal prefix every match starts with, or ""
}

// maxPasses bounds the extra passes String makes to reach a fixed point.
const maxPasses = 3

// New returns a Redactor for c. The Redactor keeps no reference to c's
// slices.
func New(c Config) *Redactor {
	r := &Redactor{keys: newKeyMatcher(&c), defaults: !c.DisableDefaults}
	if r.defaults {
		r.triggers = &triggersAll
	} else {
		r.triggers = &triggersKV
	}
	for _, re := range c.ExtraPatterns {
		if re == nil {
			continue
		}
		prefix, _ := re.LiteralPrefix()
		r.patterns = append(r.patterns, pattern{re: re, prefix: prefix})
	}
	return r
}

// SensitiveKey reports whether the value of a field with this key must be
// filtered, by the rules in the package documentation. It does not allocate
// (for keys up to 256 bytes).
func (r *Redactor) SensitiveKey(key string) bool {
	return r.keys.sensitive(key)
}

// String returns s with every secret-shaped part replaced by [Filtered]
// (see the package documentation). When nothing matches it returns s
// itself without allocating. Valid UTF-8 stays valid.
func (r *Redactor) String(s string) string {
	kinds := r.scan(s)
	if kinds == 0 && len(r.patterns) == 0 {
		return s
	}
	out := r.redactOnce(s, kinds)
	if out == s {
		return s
	}
	// A replacement can change what its neighbours look like; go on until
	// nothing changes, so that String(String(s)) == String(s).
	for range maxPasses {
		next := r.redactOnce(out, r.scan(out))
		if next == out {
			break
		}
		out = next
	}
	return out
}
