from mockserver.cli import main

main(prog_name="python -m mockserver")
