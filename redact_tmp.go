package logsentry

type noRedact struct{}

func (noRedact) SensitiveKey(string) bool { return false }
func (noRedact) String(s string) string   { return s }

func newRedactor(*config) redactor { return noRedact{} }
