console.log("bench: no benchmarks yet");
