package zerologsentry

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"testing"

	"github.com/rs/zerolog"
)

// BenchmarkParse measures the line parser (impl=scanner) against the same
// conversion written with encoding/json's Decoder and UseNumber
// (impl=encoding-json), on three lines: a typical request line, an error
// line with escapes, and an 80-field line. Both produce the same attrs
// (TestParseMatchesEncodingJSON). buger/jsonparser, which sentry-go's
// zerolog integration uses, was measured with the same conversion in a
// scratch module outside this one (it is not a dependency): it was no
// faster than the scanner.
func BenchmarkParse(b *testing.B) {
	for _, name := range []string{"typical", "error", "wide"} {
		p := benchLines[name]
		for _, impl := range []struct {
			name  string
			parse func([]byte, []slog.Attr) line
		}{{"scanner", parseLine}, {"encoding-json", parseWithDecoder}} {
			b.Run("line="+name+"/impl="+impl.name, func(b *testing.B) {
				b.ReportAllocs()
				b.SetBytes(int64(len(p)))
				buf := make([]slog.Attr, 0, 128)
				for b.Loop() {
					if l := impl.parse(p, buf[:0]); !l.complete {
						b.Fatal("incomplete")
					}
				}
			})
		}
	}
}

var benchLines = map[string][]byte{
	"typical": []byte(`{"level":"info","service":"api","method":"GET","path":"/v1/orders/123","status":200,"duration":12.5,"user":{"id":42,"name":"ann"},"logsentry_id":17,"time":"2026-11-22T04:14:39Z","message":"request served"}` + "\n"),
	"error":   []byte(`{"level":"error","error":"open \"/etc/app.conf\": permission denied","path":"/etc/app.conf","attempt":3,"tags":["a","b","c"],"big":18446744073709551615,"caf\u00e9":"\u00e9t\u00e9 \ud83d\ude00","caller":"/src/app/main.go:42","time":"2026-11-22T04:14:39Z","message":"cannot load config"}` + "\n"),
	"wide":    wideLine(),
}

func wideLine() []byte {
	var b strings.Builder
	b.WriteString(`{"level":"warn"`)
	for i := range 40 {
		fmt.Fprintf(&b, `,"field_%d":"value number %d","n_%d":%d`, i, i, i, i*1000)
	}
	b.WriteString(`,"time":"2026-11-22T04:14:39Z","message":"wide line"}` + "\n")
	return []byte(b.String())
}

func TestParseMatchesEncodingJSON(t *testing.T) {
	for name, p := range benchLines {
		a, b := parseLine(p, nil), parseWithDecoder(p, nil)
		if attrsString(a.attrs) != attrsString(b.attrs) || a.message != b.message || a.level != b.level ||
			a.errText != b.errText || !a.time.Equal(b.time) || a.id != b.id {
			t.Errorf("%s:\nscanner       %+v\nencoding/json %+v", name, a, b)
		}
	}
}

// parseWithDecoder is parseLine written with encoding/json, for comparison.
func parseWithDecoder(p []byte, attrs []slog.Attr) line {
	names := currentFieldNames()
	l := line{attrs: attrs}
	dec := json.NewDecoder(bytes.NewReader(p))
	dec.UseNumber()
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return l
	}
	for dec.More() {
		kt, err := dec.Token()
		if err != nil {
			return l
		}
		key, _ := kt.(string)
		v, err := decoderValue(dec)
		if err != nil {
			return l
		}
		switch {
		case key == names.message && v.Kind() == slog.KindString:
			l.message = v.String()
		case key == names.level && v.Kind() == slog.KindString:
			l.level = v.String()
		case key == names.time:
			if t, ok := parseTime(v, zerolog.TimeFieldFormat); ok {
				l.time = t
			}
		case key == names.err && v.Kind() == slog.KindString:
			l.errText, l.hasErr = v.String(), true
		case key == CorrelationFieldName && v.Kind() == slog.KindInt64:
			l.id = uint64(v.Int64())
		default:
			l.attrs = append(l.attrs, slog.Attr{Key: key, Value: v})
		}
	}
	l.complete = true
	return l
}

func decoderValue(dec *json.Decoder) (slog.Value, error) {
	t, err := dec.Token()
	if err != nil {
		return slog.Value{}, err
	}
	switch x := t.(type) {
	case json.Delim:
		if x == '{' {
			var attrs []slog.Attr
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return slog.Value{}, err
				}
				v, err := decoderValue(dec)
				if err != nil {
					return slog.Value{}, err
				}
				key, _ := kt.(string)
				attrs = append(attrs, slog.Attr{Key: key, Value: v})
			}
			if _, err := dec.Token(); err != nil {
				return slog.Value{}, err
			}
			return slog.GroupValue(attrs...), nil
		}
		a := []any{}
		for dec.More() {
			v, err := decoderValue(dec)
			if err != nil {
				return slog.Value{}, err
			}
			a = append(a, v.Any())
		}
		if _, err := dec.Token(); err != nil {
			return slog.Value{}, err
		}
		return slog.AnyValue(a), nil
	case json.Number:
		s := string(x)
		if i, err := strconv.ParseInt(s, 10, 64); err == nil {
			return slog.Int64Value(i), nil
		}
		if u, err := strconv.ParseUint(s, 10, 64); err == nil {
			return slog.Uint64Value(u), nil
		}
		if f, err := strconv.ParseFloat(s, 64); err == nil {
			return slog.Float64Value(f), nil
		}
		return slog.StringValue(s), nil
	case string:
		return slog.StringValue(x), nil
	case bool:
		return slog.BoolValue(x), nil
	case nil:
		return slog.AnyValue(nil), nil
	}
	return slog.Value{}, io.ErrUnexpectedEOF
}
