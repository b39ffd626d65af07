fn main() -> std::process::ExitCode {
    kubectl_dagu::main()
}
