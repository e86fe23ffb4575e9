fn main() -> std::process::ExitCode {
    lyceum::main()
}
