import UpbondLogin
import XCTest

/// Cancelling the Swift task that polls a device authorization stops the polling.
final class CancellationTests: EmulatorTestCase {
    func testCancellingTheTaskStopsDevicePolling() async throws {
        try await emulator.hook("/_emulator/settings", ["device_interval_secs": 1])
        let client = try emulator.nativeClient()
        let device = try await client.startDeviceAuthorization()
        let polling = Task { try await client.pollDeviceAuthorization(device) }
        // Let at least one poll happen (the user never approves), then cancel.
        try await Task.sleep(for: .milliseconds(300))
        polling.cancel()
        let guardTask = denyLater(device)
        defer { guardTask.cancel() }
        do {
            let tokens = try await polling.value
            XCTFail("polling returned \(tokens)")
        } catch {
            XCTAssertTrue(error is CancellationError, "\(error)")
        }
        // The device code is still pending at the server: nothing was approved or consumed.
        try await emulator.approveDevice(userCode: device.userCode)
        let tokens = try await client.pollDeviceAuthorization(device)
        XCTAssertFalse(tokens.accessToken.isEmpty)
    }

    func testAlreadyCancelledTaskDoesNotPoll() async throws {
        let client = try emulator.nativeClient()
        let device = try await client.startDeviceAuthorization()
        let polling = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            return try await client.pollDeviceAuthorization(device)
        }
        let guardTask = denyLater(device)
        defer { guardTask.cancel() }
        do {
            _ = try await polling.value
            XCTFail("polling succeeded")
        } catch {
            XCTAssertTrue(error is CancellationError, "\(error)")
        }
    }

    /// Guards against hanging when cancelling does not work: denies the device authorization
    /// after 10 s, so that the poll ends with access_denied and the test fails.
    private func denyLater(_ device: DeviceAuthorization) -> Task<Void, Error> {
        let emulator = self.emulator!
        return Task {
            try await Task.sleep(for: .seconds(10))
            try await emulator.approveDevice(userCode: device.userCode, deny: true)
        }
    }
}
