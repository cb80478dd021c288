package data_test

import (
	"fmt"
	"log"

	"github.com/tensorgl/tensorgl/data"
)

// A training program finds Fashion-MNIST (here: no -data flag given), says
// where it came from and loads it.
func ExampleLocate() {
	src := data.Locate("")
	log.Printf("data: using %v", src)
	train, test, err := src.Load()
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(train.Len(), test.Len(), train.Shape)
}

func ExampleLoader() {
	train, _, err := data.FashionMNISTSample()
	if err != nil {
		log.Fatal(err)
	}
	mean, std := train.ChannelStats()
	loader, err := data.NewLoader(train, data.LoaderConfig{
		BatchSize: 1500, Shuffle: true, Seed: 1,
		Mean: mean, Std: std,
		Pad: 2, Flip: true,
	})
	if err != nil {
		log.Fatal(err)
	}
	for epoch := range 2 {
		for b := range loader.Epoch(epoch) {
			// b is valid until the loop body returns: copy it to the
			// device here.
			fmt.Println(epoch, b.Shape, len(b.X), len(b.Y))
		}
	}
	// Output:
	// 0 [1500 1 28 28] 1176000 1500
	// 0 [1500 1 28 28] 1176000 1500
	// 0 [1000 1 28 28] 784000 1000
	// 1 [1500 1 28 28] 1176000 1500
	// 1 [1500 1 28 28] 1176000 1500
	// 1 [1000 1 28 28] 784000 1000
}
