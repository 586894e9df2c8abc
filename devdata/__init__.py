"""Demo and scale data: generators that may touch every app, and benchmark floors."""
