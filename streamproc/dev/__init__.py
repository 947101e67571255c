"""What only development uses: the local broker, the benchmark, the whole stack for make run."""
