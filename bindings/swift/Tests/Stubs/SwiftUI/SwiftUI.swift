// A stub of the few SwiftUI declarations the README's view snippet uses (View, @State,
// Binding, Form, SecureField, Button, Text, the view builder), with SwiftUI's names and
// argument labels, so that the Linux tests type-check the snippet's logic against the
// library. It draws nothing.

@_exported import Foundation  // as SwiftUI does

@MainActor @preconcurrency
public protocol View {
    associatedtype Body: View
    @ViewBuilder var body: Body { get }
}

extension Never: View {
    public var body: Never { return fatalError("no body") }
}

/// A leaf view.
public protocol PrimitiveView: View where Body == Never {}

extension PrimitiveView {
    public var body: Never { return fatalError("no body") }
}

@resultBuilder
public enum ViewBuilder {
    public static func buildBlock<each Content: View>(_ content: repeat each Content) -> TupleView<(repeat each Content)> {
        TupleView((repeat each content))
    }
}

public struct TupleView<T>: PrimitiveView {
    public let value: T
    public init(_ value: T) { self.value = value }
}

@propertyWrapper
public struct State<Value> {
    private final class Box {
        var value: Value
        init(_ value: Value) { self.value = value }
    }

    private let box: Box

    public init(wrappedValue: Value) {
        box = Box(wrappedValue)
    }

    public var wrappedValue: Value {
        get { box.value }
        nonmutating set { box.value = newValue }
    }

    public var projectedValue: Binding<Value> {
        Binding(get: { box.value }, set: { box.value = $0 })
    }
}

@propertyWrapper
public struct Binding<Value> {
    private let get: () -> Value
    private let set: (Value) -> Void

    public init(get: @escaping () -> Value, set: @escaping (Value) -> Void) {
        self.get = get
        self.set = set
    }

    public var wrappedValue: Value {
        get { get() }
        nonmutating set { set(newValue) }
    }
}

public struct Form<Content: View>: PrimitiveView {
    public let content: Content
    public init(@ViewBuilder content: () -> Content) { self.content = content() }
}

public struct VStack<Content: View>: PrimitiveView {
    public let content: Content
    public init(@ViewBuilder content: () -> Content) { self.content = content() }
}

public struct Text: PrimitiveView {
    public let text: String
    public init<S: StringProtocol>(_ content: S) { text = String(content) }
}

public struct SecureField: PrimitiveView {
    public let title: String
    public let text: Binding<String>
    public init(_ title: String, text: Binding<String>) {
        self.title = title
        self.text = text
    }
}

public struct Button: PrimitiveView {
    public let title: String
    public let action: @MainActor () -> Void
    public init(_ title: String, action: @escaping @MainActor () -> Void) {
        self.title = title
        self.action = action
    }
}
