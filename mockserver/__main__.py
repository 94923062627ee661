from mockserver.launch import run

run(prog_name="python -m mockserver")
