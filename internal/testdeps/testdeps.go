// Package testdeps pins modules used only by tests so that go mod tidy keeps them.
package testdeps

import (
	_ "github.com/pkg/errors"
	_ "go.uber.org/goleak"
)
