package sentrytest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"time"
)

// Envelope is one envelope as received: its header line and its items.
// Numbers in Header are json.Number.
type Envelope struct {
	Header map[string]any
	Items  []Item
}

// Item is one envelope item: its header line, the header's type and the raw payload.
type Item struct {
	Header  map[string]any
	Type    string
	Payload json.RawMessage
}

// Event is the wire form of an "event" item. Numbers inside any-typed fields
// (Contexts, Request, Breadcrumb.Data) are json.Number.
type Event struct {
	EventID     string                    `json:"event_id"`
	Level       string                    `json:"level"`
	Message     string                    `json:"message"`
	Logger      string                    `json:"logger"`
	Platform    string                    `json:"platform"`
	Timestamp   time.Time                 `json:"-"`
	Release     string                    `json:"release"`
	Environment string                    `json:"environment"`
	ServerName  string                    `json:"server_name"`
	Transaction string                    `json:"transaction"`
	Fingerprint []string                  `json:"fingerprint"`
	Tags        map[string]string         `json:"tags"`
	Contexts    map[string]map[string]any `json:"contexts"`
	User        User                      `json:"user"`
	Exception   []Exception               `json:"-"`
	Breadcrumbs []Breadcrumb              `json:"-"`
	Request     map[string]any            `json:"request"`
	Raw         json.RawMessage           `json:"-"`
}

// User is the wire form of an event's user.
type User struct {
	ID        string            `json:"id"`
	Email     string            `json:"email"`
	Username  string            `json:"username"`
	IPAddress string            `json:"ip_address"`
	Name      string            `json:"name"`
	Data      map[string]string `json:"data"`
}

// Exception is one element of an event's exception chain.
type Exception struct {
	Type       string      `json:"type"`
	Value      string      `json:"value"`
	Module     string      `json:"module"`
	Stacktrace *Stacktrace `json:"stacktrace"`
	Mechanism  *Mechanism  `json:"mechanism"`
}

// Mechanism tells how an exception was captured and where it sits in the chain.
type Mechanism struct {
	Type             string         `json:"type"`
	Source           string         `json:"source"`
	ExceptionID      int            `json:"exception_id"`
	ParentID         *int           `json:"parent_id"`
	IsExceptionGroup bool           `json:"is_exception_group"`
	Data             map[string]any `json:"data"`
}

// Stacktrace holds frames, oldest call first.
type Stacktrace struct {
	Frames []Frame `json:"frames"`
}

// Frame is one stack frame.
type Frame struct {
	Function string `json:"function"`
	Module   string `json:"module"`
	Filename string `json:"filename"`
	AbsPath  string `json:"abs_path"`
	Lineno   int    `json:"lineno"`
	InApp    bool   `json:"in_app"`
}

// Breadcrumb is the wire form of one breadcrumb.
type Breadcrumb struct {
	Type      string         `json:"type"`
	Category  string         `json:"category"`
	Message   string         `json:"message"`
	Level     string         `json:"level"`
	Data      map[string]any `json:"data"`
	Timestamp time.Time      `json:"-"`
}

// Log is one log record out of a "log" item's batch.
type Log struct {
	Timestamp  time.Time            `json:"-"`
	TraceID    string               `json:"trace_id"`
	SpanID     string               `json:"span_id"`
	Level      string               `json:"level"`
	Severity   int                  `json:"severity_number"`
	Body       string               `json:"body"`
	Attributes map[string]Attribute `json:"attributes"`
}

// Attribute is a typed log attribute. Type is "string", "integer", "double" or
// "boolean"; numeric values are json.Number so integers stay integers.
type Attribute struct {
	Type  string `json:"type"`
	Value any    `json:"value"`
}

// ClientReport is the payload of a "client_report" item: what the SDK dropped.
type ClientReport struct {
	Timestamp       any              `json:"timestamp"`
	DiscardedEvents []DiscardedEvent `json:"discarded_events"`
}

// DiscardedEvent counts items of one category the SDK dropped for one reason.
type DiscardedEvent struct {
	Reason   string `json:"reason"`
	Category string `json:"category"`
	Quantity int    `json:"quantity"`
}

// TopFrame returns the most recent frame (the last one) of the last exception's
// stacktrace, which is the error passed to CaptureException. It returns the zero
// Frame if there is none.
func (e Event) TopFrame() Frame {
	if len(e.Exception) == 0 {
		return Frame{}
	}
	st := e.Exception[len(e.Exception)-1].Stacktrace
	if st == nil || len(st.Frames) == 0 {
		return Frame{}
	}
	return st.Frames[len(st.Frames)-1]
}

// Context returns the event context called name, or nil.
func (e Event) Context(name string) map[string]any { return e.Contexts[name] }

// String returns a string attribute's value, or the textual form of any other value.
func (a Attribute) String() string {
	if s, ok := a.Value.(string); ok {
		return s
	}
	return fmt.Sprint(a.Value)
}

// Int returns the value of an attribute of type "integer".
func (a Attribute) Int() (int64, bool) {
	n, ok := a.Value.(json.Number)
	if !ok || a.Type != "integer" {
		return 0, false
	}
	i, err := n.Int64()
	return i, err == nil
}

// Float returns the value of an attribute of type "double".
func (a Attribute) Float() (float64, bool) {
	n, ok := a.Value.(json.Number)
	if !ok || a.Type != "double" {
		return 0, false
	}
	f, err := n.Float64()
	return f, err == nil
}

// Bool returns the value of an attribute of type "boolean".
func (a Attribute) Bool() (bool, bool) {
	b, ok := a.Value.(bool)
	return b, ok && a.Type == "boolean"
}

// decode unmarshals JSON keeping numbers as json.Number and rejecting trailing data.
func decode(b []byte, v any) error {
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	if err := d.Decode(v); err != nil {
		return err
	}
	if d.More() {
		return errors.New("trailing data after JSON value")
	}
	return nil
}

// wireTime accepts an RFC 3339 string (what sentry-go sends) or float seconds since the epoch.
type wireTime time.Time

func (t *wireTime) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		return nil
	}
	if b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		v, err := time.Parse(time.RFC3339Nano, s)
		*t = wireTime(v)
		return err
	}
	f, err := strconv.ParseFloat(string(b), 64)
	if err != nil {
		return err
	}
	sec, frac := math.Modf(f)
	*t = wireTime(time.Unix(int64(sec), int64(frac*1e9)).UTC())
	return nil
}

// valueList accepts both a bare list and the {"values": [...]} form.
type valueList[T any] []T

func (l *valueList[T]) UnmarshalJSON(b []byte) error {
	if bytes.HasPrefix(bytes.TrimSpace(b), []byte("{")) {
		var w struct {
			Values []T `json:"values"`
		}
		err := decode(b, &w)
		*l = w.Values
		return err
	}
	return decode(b, (*[]T)(l))
}

// UnmarshalJSON decodes the wire form, accepting both list shapes and both time forms.
func (e *Event) UnmarshalJSON(b []byte) error {
	type plain Event
	var w struct {
		plain
		Timestamp   wireTime              `json:"timestamp"`
		Exception   valueList[Exception]  `json:"exception"`
		Breadcrumbs valueList[Breadcrumb] `json:"breadcrumbs"`
	}
	if err := decode(b, &w); err != nil {
		return err
	}
	*e = Event(w.plain)
	e.Timestamp, e.Exception, e.Breadcrumbs = time.Time(w.Timestamp), w.Exception, w.Breadcrumbs
	e.Raw = append(json.RawMessage(nil), b...)
	return nil
}

// UnmarshalJSON decodes the wire form, accepting both time forms.
func (c *Breadcrumb) UnmarshalJSON(b []byte) error {
	type plain Breadcrumb
	var w struct {
		plain
		Timestamp wireTime `json:"timestamp"`
	}
	err := decode(b, &w)
	*c = Breadcrumb(w.plain)
	c.Timestamp = time.Time(w.Timestamp)
	return err
}

// UnmarshalJSON decodes the wire form, accepting both time forms.
func (l *Log) UnmarshalJSON(b []byte) error {
	type plain Log
	var w struct {
		plain
		Timestamp wireTime `json:"timestamp"`
	}
	err := decode(b, &w)
	*l = Log(w.plain)
	l.Timestamp = time.Time(w.Timestamp)
	return err
}

// UnmarshalJSON decodes the attribute keeping numbers as json.Number.
func (a *Attribute) UnmarshalJSON(b []byte) error {
	type plain Attribute
	return decode(b, (*plain)(a))
}

// parseEnvelope splits an envelope body into header and items.
func parseEnvelope(body []byte) (Envelope, error) {
	var env Envelope
	line, rest, _ := bytes.Cut(body, []byte("\n"))
	if err := decode(line, &env.Header); err != nil || env.Header == nil {
		return env, fmt.Errorf("envelope header %q: %v", line, err)
	}
	for len(bytes.TrimSpace(rest)) > 0 {
		var it Item
		line, rest, _ = bytes.Cut(rest, []byte("\n"))
		if err := decode(line, &it.Header); err != nil || it.Header == nil {
			return env, fmt.Errorf("item %d header %q: %v", len(env.Items), line, err)
		}
		it.Type, _ = it.Header["type"].(string)
		if it.Type == "" {
			return env, fmt.Errorf("item %d header %q: no type", len(env.Items), line)
		}
		if l, ok := it.Header["length"].(json.Number); ok {
			n, err := l.Int64()
			if err != nil || n < 0 || n > int64(len(rest)) {
				return env, fmt.Errorf("item %d: length %s but %d bytes left", len(env.Items), l, len(rest))
			}
			it.Payload, rest = rest[:n], rest[n:]
			if len(rest) > 0 && rest[0] != '\n' {
				return env, fmt.Errorf("item %d: no newline after %d payload bytes", len(env.Items), n)
			}
			rest = bytes.TrimPrefix(rest, []byte("\n"))
		} else {
			it.Payload, rest, _ = bytes.Cut(rest, []byte("\n"))
		}
		env.Items = append(env.Items, it)
	}
	return env, nil
}
