package redact

import (
	"regexp"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"
	"unsafe"
)

// Every value below is fake: documented examples (AWS's AKIAIOSFODNN7EXAMPLE,
// card networks' test numbers, RFC examples) or made-up strings of the right
// shape. Vendor prefixes are split so that secret scanners leave this file
// alone.
const (
	ghp     = "gh" + "p_" + "0000EXAMPLE0000example0000EXAMPLE000"
	ghs     = "gh" + "s_" + "0000EXAMPLE0000example0000EXAMPLE000"
	ghPAT   = "github" + "_pat_" + "11EXAMPLE0000000000000_EXAMPLEexampleEXAMPLEexample0000000000"
	slack   = "xox" + "b-" + "000000000000-0000000000000-EXAMPLEexampleEXAMPLE"
	slackWH = "https://hooks." + "slack.com/services/"
	stripe  = "sk" + "_live_" + "EXAMPLE00000000000000000"
	stripeR = "rk" + "_live_" + "EXAMPLE00000000000000000"
	google  = "AI" + "za" + "SyEXAMPLE-EXAMPLE_EXAMPLE0123456789"
	gitlab  = "gl" + "pat-" + "EXAMPLEexample000000"
	npm     = "np" + "m_" + "EXAMPLEexampleEXAMPLEexample00000000"
	hf      = "h" + "f_" + "EXAMPLEexampleEXAMPLEexampleEXAMPL"
	openai  = "sk-" + "proj-" + "EXAMPLEexampleEXAMPLEexample00000000"
	awsID   = "AKIAIOSFODNN7EXAMPLE"
	awsSTS  = "ASIAIOSFODNN7EXAMPLE"
	awsKey  = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
	jwt     = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U"
	jwtNone = "eyJhbGciOiJub25lIn0.eyJzdWIiOiJib2IifQ."
	pemBeg  = "-----BEGIN " + "RSA PRIVATE KEY-----"
	pemEnd  = "-----END " + "RSA PRIVATE KEY-----"
	pemBody = "\nMIIEowIBAAKCAQEAEXAMPLEexampleEXAMPLEexample\nEXAMPLEexampleEXAMPLE==\n"
	sshBeg  = "-----BEGIN " + "OPENSSH PRIVATE KEY-----"
	sshEnd  = "-----END " + "OPENSSH PRIVATE KEY-----"
	dsnKey  = "0123456789abcdef0123456789abcdef"
)

// F is short for Filtered in expectations.
const F = Filtered

// secretCases: secret-shaped values in context, and what String makes of
// them.
var secretCases = []struct{ in, want string }{
	// key=value, key: value
	{"password=hunter2", "password=" + F},
	{"login failed user=bob password=hunter2 ip=10.0.0.1", "login failed user=bob password=" + F + " ip=10.0.0.1"},
	{`{"api_key": "abc123def456", "region": "eu"}`, `{"api_key": "` + F + `", "region": "eu"}`},
	{`{\"password\":\"s3cr3t\",\"user\":\"bob\"}`, `{\"password\":\"` + F + `\",\"user\":\"bob\"}`},
	{`{"credentials": {"user": "bob", "pass": "x"}, "ok": true}`, `{"credentials": ` + F + `, "ok": true}`},
	{`{"password" => "hunter2"}`, `{"password" => "` + F + `"}`},
	{"password: letmein", "password: " + F},
	{"AWS_SECRET_ACCESS_KEY: " + awsKey, "AWS_SECRET_ACCESS_KEY: " + F},
	{"aws_secret_access_key=" + awsKey + " region=us-east-1", "aws_secret_access_key=" + F + " region=us-east-1"},
	{"X-Api-Key: 7c4a8d09ca3762af61e59520943dc26494f8941b", "X-Api-Key: " + F},
	{"Cookie: session=abc123; theme=dark", "Cookie: " + F + "; theme=dark"},
	{"Set-Cookie: sid=31d4d96e407aad42; Path=/; HttpOnly", "Set-Cookie: " + F + "; Path=/; HttpOnly"},
	{"PHPSESSID=298zf09hf012fh2; path=/", "PHPSESSID=" + F + "; path=/"},
	{"Server=db;Database=app;User Id=sa;Password=Sup3r$ecret;", "Server=db;Database=app;User Id=sa;Password=" + F + ";"},
	{"&{User:bob Password:hunter2 Age:3}", "&{User:bob Password:" + F + " Age:3}"},
	{"{User:bob Password:hunter2}", "{User:bob Password:" + F + "}"},
	{"Access denied for user 'root'@'localhost' (using password: YES)", "Access denied for user 'root'@'localhost' (using password: " + F + ")"},
	{"exec mysql --password hunter2 --host db", "exec mysql --password " + F + " --host db"},
	{"dsn=app:hunter2@tcp(db:3306)/orders", "dsn=" + F},
	{"headers map[Authorization:[Bearer abc] Accept:[*/*]]", "headers map[Authorization:" + F + " Accept:[*/*]]"},
	// URL query strings
	{"GET /v1/items?token=abc123&page=2", "GET /v1/items?token=" + F + "&page=2"},
	{"https://api.example.com/cb?code=x&access_token=ya29.a0AfH6SMB&state=1", "https://api.example.com/cb?code=x&access_token=" + F + "&state=1"},
	{"POST /oauth/token client_id=app&client_secret=abc&grant_type=client_credentials", "POST /oauth/token client_id=app&client_secret=" + F + "&grant_type=client_credentials"},
	// URL userinfo, DSNs, webhooks
	{"postgres://app:hunter2@db.internal:5432/orders", "postgres://app:" + F + "@db.internal:5432/orders"},
	{"redis://:s3cret@cache:6379/0", "redis://:" + F + "@cache:6379/0"},
	{"amqp://guest:p@ss@rabbit:5672/", "amqp://guest:" + F + "@rabbit:5672/"},
	{"dsn https://" + dsnKey + "@o1.ingest.sentry.io/123", "dsn https://" + F + "@o1.ingest.sentry.io/123"},
	{"https://examplePublicKey@o0.ingest.sentry.io/0", "https://" + F + "@o0.ingest.sentry.io/0"},
	{"git clone https://x-access-token:" + ghs + "@github.com/org/repo.git", "git clone https://x-access-token:" + F + "@github.com/org/repo.git"},
	{"https://" + ghp + "@github.com/org/repo.git", "https://" + F + "@github.com/org/repo.git"},
	{"posting to " + slackWH + "T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX now", "posting to " + slackWH + F + " now"},
	// Bearer, Basic
	{"Authorization: Bearer mF_9.B5f-4.1JqM", "Authorization: Bearer " + F},
	{"retrying with Bearer abcDEF123456ghiJKL", "retrying with Bearer " + F},
	{"Authorization: Basic dXNlcjpwYXNzd29yZA==", "Authorization: Basic " + F},
	{"proxy said Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ== was wrong", "proxy said Basic " + F + " was wrong"},
	// JWT
	{"auth failed for jwt " + jwt, "auth failed for jwt " + F},
	{`{"id_token":"` + jwt + `"}`, `{"id_token":"` + F + `"}`},
	{"unsigned " + jwtNone + " seen", "unsigned " + F + " seen"},
	// PEM
	{"loaded " + pemBeg + pemBody + pemEnd + " from disk", "loaded " + F + " from disk"},
	{`{"pem":"` + sshBeg + `\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmU=\n` + sshEnd + `\n"}`, `{"pem":"` + F + `\n"}`},
	{"truncated: -----BEGIN " + "EC PRIVATE KEY-----\nMHcCAQEEIIBxEXAMPLE", "truncated: " + F},
	// vendor tokens
	{"aws access key " + awsID + " rejected", "aws access key " + F + " rejected"},
	{"sts " + awsSTS, "sts " + F},
	{"cloning with " + ghp, "cloning with " + F},
	{"pat " + ghPAT + " expired", "pat " + F + " expired"},
	{"slack " + slack, "slack " + F},
	{"charge failed for " + stripe, "charge failed for " + F},
	{"restricted " + stripeR + ".", "restricted " + F + "."},
	{"maps " + google + " quota", "maps " + F + " quota"},
	{"gitlab " + gitlab, "gitlab " + F},
	{"//registry.npmjs.org/:_authToken=" + npm, "//registry.npmjs.org/:_authToken=" + F},
	{"publish with " + npm + " failed", "publish with " + F + " failed"},
	{"hub " + hf + ".", "hub " + F + "."},
	{"openai " + openai, "openai " + F},
	// payment cards
	{"card 4111 1111 1111 1111 declined", "card " + F + " declined"},
	{"4111111111111111", F},
	{"mc 5555-5555-5555-4444", "mc " + F},
	{"amex 3782 822463 10005 ok", "amex " + F + " ok"},
	{"discover 6011111111111117,", "discover " + F + ","},
	{"diners 3056 930902 5904", "diners " + F},
	{"visa13 4222222222222 end", "visa13 " + F + " end"},
	{"pan 4111 1111 1111 1111 12/25", "pan " + F + " 12/25"},
}

// lookalikes must come out of String unchanged.
var lookalikes = []string{
	"request 550e8400-e29b-41d4-a716-446655440000 done",
	"uuid 123e4567-e89b-12d3-a456-426614174000",
	"commit 4b825dc642cb6eb9a060e54bf8d69288fbee4904",
	"sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
	"req_id=7f3a9c2e1b4d4e8fa0c1d2e3f4a5b6c7",
	"at 2024-05-01T12:34:56.789Z",
	"2024-05-01 12:34:56,789 INFO started",
	"connected to 192.168.1.10:5432",
	"listening on [2001:db8::1]:8080",
	"call +1 (415) 555-2671",
	"call 415-555-2671 or +44 20 7946 0958",
	"phone: 555 1234 5678 9012",
	"running go1.26.8 with v1.2.3-rc.1",
	"open /var/log/app/server.log: permission denied",
	`C:\Users\bob\AppData\Local\app.ini`,
	"see https://example.com/docs?page=2&sort=asc#intro",
	"fetching https://github.com/getsentry/sentry-go/releases",
	"ssh://git@github.com/org/repo.git",
	"git@github.com:org/repo.git",
	"https://medium.com/@someone/post-123",
	"card 4111 1111 1111 1112 is invalid",
	"4111111111111112",
	"1234567812345670",
	"order ORD-2024-000123 shipped",
	"uploaded aGVsbG8gd29ybGQ.png",
	"thumbnail iVBORw0KGgoAAAANSUhEUgAAAAEAAAAB.png",
	"epoch 1714567890123 ms",
	"ts=1714567890123456789",
	"took 0.1234567890123456s",
	"amount 1,234,567,890,123.45",
	"ISBN 978-3-16-148410-0",
	"IBAN DE89 3704 0044 0532 0130 00",
	"tracking 1Z999AA10123456784",
	"author=bob keyboard=us sidebar=collapsed",
	"monkey: true, turkey: false",
	"processId=4242 className=Foo tokenizer=bpe",
	"invalid password: too short",
	"failed to refresh token: context deadline exceeded",
	"Token: Invalid signature",
	"the bearer of bad news",
	"Bearer authentication required",
	"Bearer token expired",
	"basic usage: run the tool",
	"Basic configuration loaded",
	"status=200 duration=35ms bytes=5120",
	"user_id=42 request_id=abc123",
	"sampleRate=0.25 throughput=1200.5",
	"user bob@example.com logged in",
	"mailto:security@example.com",
	"MAC 00:1A:2B:3C:4D:5E",
	"pointer 0x7ffd5fbff8a0",
	"Asia/Tokyo time zone",
	"----- section -----",
	"-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUEXAMPLE\n-----END CERTIFICATE-----",
	"-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEEXAMPLE\n-----END PUBLIC KEY-----",
	"ssh://git@GitHub.com/org/repo.git",
	"x := token; y := key",
	"xoxo, the team",
	"task_live_updates_count=3",
	"npm_config_registry is unset, npm_package_version=1.2.3",
	"hf_transfer_enabled_for_all_downloads_in_this_run_ok done",
	"disk-0123456789abcdef0123456789abcdef01",
	"Error: connection refused (retrying in 5s)",
	"key count: 12",
	"credit card ending in 1111",
	"HTTP/1.1 401 Unauthorized",
	"sessions are stored in redis",
	"if err != nil || x == y",
	"std::string and a::b",
	"",
}

func TestStringCorpus(t *testing.T) {
	r := New(Config{})
	caught := 0
	for _, c := range secretCases {
		got := r.String(c.in)
		if got != c.want {
			t.Errorf("String(%q)\n got %q\nwant %q", c.in, got, c.want)
			continue
		}
		caught++
	}
	untouched := 0
	for _, s := range lookalikes {
		if got := r.String(s); got != s {
			t.Errorf("String(%q) = %q, want it unchanged", s, got)
			continue
		}
		untouched++
	}
	t.Logf("secret values: %d caught of %d; look-alikes: %d untouched of %d",
		caught, len(secretCases), untouched, len(lookalikes))
	if len(secretCases) < 40 || len(lookalikes) < 40 {
		t.Errorf("corpus too small: %d secrets, %d look-alikes", len(secretCases), len(lookalikes))
	}
}

var sensitiveKeys = []string{
	"api_key", "apikey", "API_KEY", "X-Api-Key", "x-api-key", "xApiKey", "APIKey",
	"api_keys", "apikeys", "key", "keys", "keyId", "primary_key",
	"X-Auth-Token", "auth", "authToken", "Authorization", "oauth_state", "authenticated",
	"sessionid", "session_id", "sessions", "JSESSIONID", "PHPSESSID", "sid", "connect.sid",
	"DB_PASSWORD", "password", "PassWord", "Pass_Word", "passwd", "pwd", "old_pwd", "userPwd",
	"client_secret", "secretKey", "AWS_SECRET_ACCESS_KEY", "aws_access_key_id",
	"access_token", "refresh_token", "GITHUB_TOKEN", "total_tokens", "csrf_token", "XSRF-TOKEN",
	"jwt", "saml_response", "SAMLResponse", "sso_ticket", "ssoId", "bearer",
	"credentials", "credential_id", "identity", "identity_provider",
	"private_key", "privateKey", "is_private", "cookie", "Set-Cookie", "passphrase",
	"credit_card", "creditCardNumber", "card_number", "cardNum", "cvv", "cvv2", "cvc",
	"ssn", "user_ssn", "dsn", "SENTRY_DSN", "signing_key", "passkey",
}

var ordinaryKeys = []string{
	"author", "authors", "authorId", "author_name", "coauthor", "authority",
	"certificate_authority", "authoritative",
	"inside", "insider", "consider", "considered", "side", "sides", "sidebar", "sidecar",
	"sideEffects", "outside",
	"keyboard", "keyboard_layout", "keyboardLayout", "keynote", "keyword", "keywords",
	"keystroke", "keyspace",
	"monkey", "monkeys", "codemonkey", "donkey", "turkey", "hockey", "jockey", "whiskey",
	"turnkey", "hotkey",
	"residence", "resident", "president", "subsidy",
	"tokenizer", "tokenizer_name", "ssid", "bssid",
	"processor", "professor", "compressor", "successor", "assoc_id", "lasso", "espresso",
	"secretary", "secretariat", "obsession", "possession",
	"process_id", "processId", "processid", "classId", "classname", "className",
	"user_id", "request_id", "status", "duration_ms", "method", "path", "message",
	"address", "access_level", "task", "disk", "",
}

func TestSensitiveKeyCorpus(t *testing.T) {
	r := New(Config{})
	caught := 0
	for _, k := range sensitiveKeys {
		if !r.SensitiveKey(k) {
			t.Errorf("SensitiveKey(%q) = false, want true", k)
			continue
		}
		caught++
	}
	untouched := 0
	for _, k := range ordinaryKeys {
		if r.SensitiveKey(k) {
			t.Errorf("SensitiveKey(%q) = true, want false", k)
			continue
		}
		untouched++
	}
	t.Logf("sensitive keys: %d caught of %d; ordinary keys: %d untouched of %d",
		caught, len(sensitiveKeys), untouched, len(ordinaryKeys))
	if len(sensitiveKeys) < 40 || len(ordinaryKeys) < 40 {
		t.Errorf("corpus too small: %d sensitive, %d ordinary", len(sensitiveKeys), len(ordinaryKeys))
	}
}

// TestSentryTerms: every term of Sentry's list, alone and in any case, is
// sensitive.
func TestSentryTerms(t *testing.T) {
	r := New(Config{})
	for _, term := range append(append([]string{}, sentryTerms...), extraTerms...) {
		for _, k := range []string{term, strings.ToUpper(term), "x_" + term, term + "_x"} {
			if !r.SensitiveKey(k) {
				t.Errorf("SensitiveKey(%q) = false", k)
			}
		}
	}
}

func TestConfig(t *testing.T) {
	r := New(Config{
		ExtraKeys:     []string{"card", "Monkey", "account_no"},
		AllowKeys:     []string{"Primary_Key", "total_tokens", "Schlüssel_token"},
		ExtraPatterns: []*regexp.Regexp{regexp.MustCompile(`INTERNAL-[0-9]{6}`), nil, regexp.MustCompile(`(?i)zz[0-9]+`)},
	})
	for k, want := range map[string]bool{
		"card": true, "CardHolder": true, "monkey": true, "accountNo": true, "ACCOUNT_NO": true,
		"primary_key": false, "PRIMARY_KEY": false, "Total_Tokens": false, "schlüssel_TOKEN": false,
		"primary_keys": true, "donkey": false, "password": true,
	} {
		if got := r.SensitiveKey(k); got != want {
			t.Errorf("SensitiveKey(%q) = %v, want %v", k, got, want)
		}
	}
	for in, want := range map[string]string{
		"ref INTERNAL-123456 seen":  "ref " + F + " seen",
		"code ZZ42 and zz7":         "code " + F + " and " + F,
		"card=1234 primary_key=42":  "card=" + F + " primary_key=42",
		"password=x INTERNAL-12345": "password=" + F + " INTERNAL-12345",
	} {
		if got := r.String(in); got != want {
			t.Errorf("String(%q) = %q, want %q", in, got, want)
		}
	}

	d := New(Config{DisableDefaults: true, ExtraKeys: []string{"pin"}})
	for k, want := range map[string]bool{"password": false, "pin": true, "user_pin": true, "": false} {
		if got := d.SensitiveKey(k); got != want {
			t.Errorf("DisableDefaults: SensitiveKey(%q) = %v, want %v", k, got, want)
		}
	}
	for in, want := range map[string]string{
		"pin=1234 password=x":   "pin=" + F + " password=x",
		"jwt " + jwt:            "jwt " + jwt,
		"card 4111111111111111": "card 4111111111111111",
	} {
		if got := d.String(in); got != want {
			t.Errorf("DisableDefaults: String(%q) = %q, want %q", in, got, want)
		}
	}
	one := New(Config{DisableDefaults: true, ExtraKeys: []string{"Q", "пароль"}})
	for k, want := range map[string]bool{"q": true, "Q_id": true, "myQ": true, "aqa": false, "пароль": true, "user_пароль": true, "x": false} {
		if got := one.SensitiveKey(k); got != want {
			t.Errorf("one-letter term: SensitiveKey(%q) = %v, want %v", k, got, want)
		}
	}
	none := New(Config{DisableDefaults: true})
	if none.SensitiveKey("password") || none.String("password=x") != "password=x" {
		t.Error("DisableDefaults without extras still redacts")
	}
}

func TestLongKey(t *testing.T) {
	r := New(Config{AllowKeys: []string{strings.Repeat("a", 300) + "_token"}})
	long := strings.Repeat("a", 300)
	if r.SensitiveKey(long) || !r.SensitiveKey(long+"_password") || r.SensitiveKey(strings.ToUpper(long)+"_TOKEN") {
		t.Error("long keys")
	}
}

// TestIdempotent: String(String(s)) == String(s), and valid UTF-8 stays
// valid, over the corpus.
func TestIdempotent(t *testing.T) {
	r := New(Config{})
	var all []string
	for _, c := range secretCases {
		all = append(all, c.in, c.want, c.in+" "+c.in, "é"+c.in+"ü")
	}
	all = append(all, lookalikes...)
	for _, s := range all {
		checkString(t, r, s)
	}
}

func checkString(t *testing.T, r *Redactor, s string) {
	t.Helper()
	once := r.String(s)
	if twice := r.String(once); twice != once {
		t.Errorf("not idempotent for %q:\n once %q\ntwice %q", s, once, twice)
	}
	if utf8.ValidString(s) && !utf8.ValidString(once) {
		t.Errorf("String(%q) = %q: invalid UTF-8", s, once)
	}
}

// raceEnabled: the race detector makes sync.Pool (used by package regexp)
// drop items at random, so String's allocations are not counted under it.
var raceEnabled bool

const ordinaryMsg = "GET /api/v1/orders/8412 returned 200 in 35ms for user 42 (cache=hit, retries=0)"

func TestAllocs(t *testing.T) {
	r := New(Config{AllowKeys: []string{"primary_key"}})
	for _, k := range append(append([]string{}, sensitiveKeys...), ordinaryKeys...) {
		if n := testing.AllocsPerRun(100, func() { r.SensitiveKey(k) }); n != 0 {
			t.Errorf("SensitiveKey(%q): %v allocs", k, n)
		}
	}
	// The very string comes back, without allocating.
	s := strings.Clone(ordinaryMsg)
	if got := r.String(s); unsafe.StringData(got) != unsafe.StringData(s) || len(got) != len(s) {
		t.Error("String did not return its argument")
	}
	if n := testing.AllocsPerRun(100, func() { r.String(s) }); n != 0 {
		t.Errorf("String(%q): %v allocs", s, n)
	}
	if raceEnabled {
		return
	}
	for _, s := range lookalikes {
		if n := testing.AllocsPerRun(100, func() { r.String(s) }); n != 0 {
			t.Errorf("String(%q): %v allocs", s, n)
		}
	}
}

func TestConcurrent(t *testing.T) {
	r := New(Config{ExtraKeys: []string{"pin"}})
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 200 {
				c := secretCases[(g+i)%len(secretCases)]
				if got := r.String(c.in); got != c.want {
					t.Errorf("String(%q) = %q", c.in, got)
					return
				}
				r.SensitiveKey(sensitiveKeys[i%len(sensitiveKeys)])
			}
		}()
	}
	wg.Wait()
}

func FuzzString(f *testing.F) {
	for _, c := range secretCases {
		f.Add(c.in)
	}
	for _, s := range lookalikes {
		f.Add(s)
	}
	f.Add("token=[Filtered]x [Filtered]=a password=\"unterminated")
	f.Add("4111 1111 1111 1111 4111 1111 1111 1111 5555")
	f.Add("x://a:b@c://d:e@f --token --password \"a b\" -- --key")
	r := New(Config{ExtraKeys: []string{"pin"}, ExtraPatterns: []*regexp.Regexp{regexp.MustCompile(`INTERNAL-[0-9]+`)}})
	f.Fuzz(func(t *testing.T, s string) {
		checkString(t, r, s)
		r.SensitiveKey(s)
		// Secrets set off by spaces are caught whatever surrounds them.
		in := s + " password=hunter2 " + jwt + " " + s
		out := r.String(in)
		if strings.Contains(out, jwt) || strings.Count(out, "hunter2") > 2*strings.Count(s, "hunter2") {
			t.Errorf("String(%q) = %q: a secret got through", in, out)
		}
	})
}

func BenchmarkString(b *testing.B) {
	r := New(Config{})
	for _, bc := range []struct{ name, s string }{
		{"ordinary", ordinaryMsg},
		{"secret", "login failed for user=bob password=hunter2 from 10.0.0.1 with Bearer " + jwt[:40] + "9"},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(bc.s)))
			for b.Loop() {
				r.String(bc.s)
			}
		})
	}
}

func BenchmarkSensitiveKey(b *testing.B) {
	r := New(Config{})
	keys := []string{"user_id", "request_id", "status", "http.method", "X-Api-Key", "password", "duration_ms", "monkey"}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		r.SensitiveKey(keys[i%len(keys)])
		i++
	}
}
