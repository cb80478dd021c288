package bench

import (
	"fmt"
	"os"
	"strconv"
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

// ProfileStepsEnv sets how many warm steps a profile covers (default 3;
// the prepared GPU run takes 20, where a step is a millisecond).
const ProfileStepsEnv = "TENSORGL_PROFILE_STEPS"

// profileSteps returns how many warm steps a profile covers:
// ProfileStepsEnv's whole number from 1 to 1000, else 3.
func profileSteps() (int, error) {
	v := os.Getenv(ProfileStepsEnv)
	if v == "" {
		return 3, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > 1000 {
		return 0, fmt.Errorf("%s=%q: want a whole number of steps from 1 to 1000", ProfileStepsEnv, v)
	}
	return n, nil
}

// TestStepProfile times every kernel of warm training steps on each device
// that can (device.Profiler: GL and CPU), as PyTorch's profiler does, and logs a
// table per step: each kind of kernel's calls, device and host time per
// step, the longest first (go test ./bench -run StepProfile -v; the
// prepared GPU run keeps it). It fails when two steps' profiles disagree on
// which kernels ran how often, or a profile misses kernels the device
// counted.
func TestStepProfile(t *testing.T) {
	n, err := profileSteps()
	if err != nil {
		t.Fatal(err)
	}
	devs, _ := openDevices()
	for _, d := range devs {
		p, ok := d.dev.(device.Profiler)
		if !ok {
			continue
		}
		for _, s := range profiledSteps() {
			t.Run(s.name()+"/"+d.label, func(t *testing.T) {
				prof, dispatches := profileStep(t, d.dev, p, s, n)
				t.Logf("%s on %s, %d steps, per step:\n%s", s.name(), d.label, n, formatProfile(prof, n))
				calls := 0
				for _, k := range prof {
					if k.Calls%n != 0 {
						t.Errorf("%s: %d calls in %d steps: the steps differ", k.Name, k.Calls, n)
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

// profileStep runs warm-up steps of s on dev, then n profiled ones, and
// returns their profile and the dispatches the device counted.
func profileStep(t *testing.T, dev device.Device, p device.Profiler, s trainStep, n int) ([]device.KernelTime, int64) {
	step, done := warmStep(t, dev, s.model, s.batch, warmupSteps)
	defer func() {
		done()
		device.EmptyCache(dev)
	}()
	before := dev.Stats()
	p.SetProfiling(true)
	defer p.SetProfiling(false)
	for range n {
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

// TestProfileSteps checks ProfileStepsEnv's reading: unset, 3; a whole
// number from 1 to 1000 as it is; anything else an error naming the
// setting.
func TestProfileSteps(t *testing.T) {
	for _, c := range []struct {
		v    string
		want int
	}{{"", 3}, {"1", 1}, {"20", 20}, {"1000", 1000}, {"0", 0}, {"-2", 0}, {"1001", 0}, {"x", 0}, {"2.5", 0}} {
		t.Setenv(ProfileStepsEnv, c.v)
		n, err := profileSteps()
		if c.want == 0 {
			if err == nil || !strings.Contains(err.Error(), ProfileStepsEnv) {
				t.Errorf("%s=%q: %d, %v; want an error naming the setting", ProfileStepsEnv, c.v, n, err)
			}
			continue
		}
		if err != nil || n != c.want {
			t.Errorf("%s=%q: %d, %v; want %d", ProfileStepsEnv, c.v, n, err, c.want)
		}
	}
}
