package sentrytest

import (
	"bytes"
	"testing"
)

// CheckNoSecret fails t (without stopping it) for every secret found in the
// payload of an envelope item rcv recorded: events, logs and all other items.
func CheckNoSecret(t testing.TB, rcv *Receiver, secrets ...string) {
	t.Helper()
	for _, env := range rcv.Envelopes() {
		for _, it := range env.Items {
			for _, s := range secrets {
				if bytes.Contains(it.Payload, []byte(s)) {
					t.Errorf("secret %q sent in a %s item: %s", s, it.Type, it.Payload)
				}
			}
		}
	}
}

// PayloadsContain reports whether the payload of an envelope item rcv
// recorded contains s, for example a "[Filtered]" placeholder.
func PayloadsContain(rcv *Receiver, s string) bool {
	for _, env := range rcv.Envelopes() {
		for _, it := range env.Items {
			if bytes.Contains(it.Payload, []byte(s)) {
				return true
			}
		}
	}
	return false
}
