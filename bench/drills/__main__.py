from bench.drills.run import main

main()
