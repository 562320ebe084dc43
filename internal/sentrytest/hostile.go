package sentrytest

// Hostile values: values that break naive converters, for tests that check a
// bridge survives them. The panic texts are part of the contract: tests look
// for them in the placeholders the bridge sends.

// PanicStringer is a fmt.Stringer whose String panics with "String exploded".
type PanicStringer struct{}

// String panics.
func (PanicStringer) String() string { panic("String exploded") }

// PanicError is an error whose Error panics with "Error exploded".
type PanicError struct{}

// Error panics.
func (PanicError) Error() string { panic("Error exploded") }

// PanicJSON is a json.Marshaler whose MarshalJSON panics with
// "MarshalJSON exploded". A is there so that it is not an empty struct.
type PanicJSON struct{ A int }

// MarshalJSON panics.
func (PanicJSON) MarshalJSON() ([]byte, error) { panic("MarshalJSON exploded") }

// NilError is an error type with a pointer receiver that dereferences it:
// Error panics on a nil *NilError. See TypedNilError.
type NilError struct{ Msg string }

// Error returns e.Msg; it panics when e is nil.
func (e *NilError) Error() string { return e.Msg }

// TypedNilError returns a non-nil error interface holding a nil *NilError.
func TypedNilError() error {
	var e *NilError
	return e
}

// NilStringer is a fmt.Stringer with a pointer receiver that dereferences
// it: String panics on a nil *NilStringer.
type NilStringer struct{ Name string }

// String returns s.Name; it panics when s is nil.
func (s *NilStringer) String() string { return s.Name }

// Node is a linked-list node, for cyclic values (see CyclicNode).
type Node struct {
	Name string
	Next *Node
}

// CyclicNode returns a *Node named name whose Next is itself.
func CyclicNode(name string) *Node {
	n := &Node{Name: name}
	n.Next = n
	return n
}

// CyclicMap returns a map {"name": name, "self": <itself>}.
func CyclicMap(name string) map[string]any {
	m := map[string]any{"name": name}
	m["self"] = m
	return m
}
