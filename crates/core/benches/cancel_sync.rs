fn main() {
    println!("cancel_sync bench: not written yet");
}
