//! The `streamscale` binary: everything lives in the library's `cli` module.

fn main() -> std::process::ExitCode {
    streamscale::cli::main()
}
