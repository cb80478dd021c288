package main

import (
	"testing"

	"github.com/tensorgl/tensorgl/internal/train/traintest"
)

func TestTrainsOnSample(t *testing.T) { traintest.TrainsOnSample(t, spec, 2, 0.7) }

func TestRejectsBadFlags(t *testing.T) { traintest.RejectsBadFlags(t, spec) }
