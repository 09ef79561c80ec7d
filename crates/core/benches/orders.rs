fn main() {
    println!("orders bench: not written yet");
}
