package bench

import (
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/tensorgl/tensorgl/device"
)

// ProfileLargeEnv, set to 1, makes TestStepProfile profile the large steps
// of BenchmarkTrainStepLarge too (minutes a step on a software renderer).
const ProfileLargeEnv = "TENSORGL_PROFILE_LARGE"

// profiledSteps are the steps TestStepProfile times: the seed's models at
// batch 64, and with ProfileLargeEnv the large steps.
func profiledSteps() []trainStep {
	var ss []trainStep
	for _, m := range trainModels {
		ss = append(ss, trainStep{m, seedBatch})
	}
	if os.Getenv(ProfileLargeEnv) == "1" {
		ss = append(ss, largeSteps...)
	}
	return ss
}

// profileSteps is how many warm steps a profile covers.
const profileSteps = 3

// TestStepProfile times every kernel of warm training steps on each device
// that can (device.Profiler: GL), as PyTorch's profiler does, and logs a
// table per step: each kind of kernel's calls, device and host time per
// step, the longest first (go test ./bench -run StepProfile -v; the
// prepared GPU run keeps it). It fails when two steps' profiles disagree on
// which kernels ran how often, or a profile misses kernels the device
// counted.
func TestStepProfile(t *testing.T) {
	devs, _ := openDevices()
	for _, d := range devs {
		p, ok := d.dev.(device.Profiler)
		if !ok {
			continue
		}
		for _, s := range profiledSteps() {
			t.Run(s.name()+"/"+d.label, func(t *testing.T) {
				prof, dispatches := profileStep(t, d.dev, p, s)
				t.Logf("%s on %s, %d steps, per step:\n%s", s.name(), d.label, profileSteps, formatProfile(prof, profileSteps))
				calls := 0
				for _, k := range prof {
					if k.Calls%profileSteps != 0 {
						t.Errorf("%s: %d calls in %d steps: the steps differ", k.Name, k.Calls, profileSteps)
					}
					calls += k.Calls
				}
				if calls < int(dispatches)/4 {
					t.Errorf("%d commands profiled for %d dispatches", calls, dispatches)
				}
			})
		}
	}
}

// profileStep runs warm-up steps of s on dev, then profileSteps profiled
// ones, and returns their profile and the dispatches the device counted.
func profileStep(t *testing.T, dev device.Device, p device.Profiler, s trainStep) ([]device.KernelTime, int64) {
	step, done := warmStep(t, dev, s.model, s.batch, warmupSteps)
	defer func() {
		done()
		device.EmptyCache(dev)
	}()
	before := dev.Stats()
	p.SetProfiling(true)
	defer p.SetProfiling(false)
	for range profileSteps {
		step()
	}
	prof, err := p.Profile()
	if err != nil {
		t.Fatal(err)
	}
	return prof, dev.Stats().Sub(before).Dispatches
}

// formatProfile lays out a profile of n steps per step, with each kind's
// share of the device time (of the host time where the device's is zero).
func formatProfile(prof []device.KernelTime, n int) string {
	var dev, host, idle time.Duration
	for _, k := range prof {
		dev += k.Device
		host += k.Host
		idle += k.Idle
	}
	share := func(k device.KernelTime) float64 {
		if dev > 0 {
			return 100 * float64(k.Device) / float64(dev)
		}
		return 100 * float64(k.Host) / float64(max(host, 1))
	}
	us := func(d time.Duration) float64 { return float64(d) / float64(n) / 1e3 }
	var b strings.Builder
	fmt.Fprintf(&b, "%-44s %8s %12s %12s %12s %7s\n", "kernel", "calls", "device µs", "idle µs", "host µs", "share")
	for _, k := range prof {
		fmt.Fprintf(&b, "%-44s %8.1f %12.1f %12.1f %12.1f %6.1f%%\n", k.Name, float64(k.Calls)/float64(n), us(k.Device), us(k.Idle), us(k.Host), share(k))
	}
	fmt.Fprintf(&b, "%-44s %8s %12.1f %12.1f %12.1f", "total", "", us(dev), us(idle), us(host))
	return b.String()
}
