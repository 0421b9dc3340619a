use super::{ApduError, Status, StatusWord};

/// A response APDU: data and status word.
#[derive(Clone, PartialEq, Eq)]
pub struct Response {
    data: Vec<u8>,
    sw: StatusWord,
}

impl core::fmt::Debug for Response {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        // Response data may be a certificate with personal data: print its length only.
        f.debug_struct("Response")
            .field("data_len", &self.data.len())
            .field("sw", &self.sw)
            .finish()
    }
}

impl Response {
    /// Builds a response from its parts.
    pub fn new(data: Vec<u8>, sw: StatusWord) -> Self {
        Self { data, sw }
    }

    /// Splits raw response bytes into data and status word.
    pub fn parse(bytes: &[u8]) -> Result<Self, ApduError> {
        if bytes.len() < 2 {
            return Err(ApduError::ResponseTooShort(bytes.len()));
        }
        let (data, sw) = bytes.split_at(bytes.len() - 2);
        Ok(Self {
            data: data.to_vec(),
            sw: StatusWord::new(sw[0], sw[1]),
        })
    }

    /// The encoded response: data then SW1 SW2.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut v = Vec::with_capacity(self.data.len() + 2);
        v.extend_from_slice(&self.data);
        v.extend_from_slice(&self.sw.to_bytes());
        v
    }

    /// The response data.
    pub fn data(&self) -> &[u8] {
        &self.data
    }

    /// Takes the response data.
    pub fn into_data(self) -> Vec<u8> {
        self.data
    }

    /// Appends data (used when concatenating `61xx` GET RESPONSE chunks).
    pub(crate) fn extend_data(&mut self, more: &[u8]) {
        self.data.extend_from_slice(more);
    }

    /// Replaces the status word (the last GET RESPONSE's is the final one).
    pub(crate) fn set_sw(&mut self, sw: StatusWord) {
        self.sw = sw;
    }

    /// The status word.
    pub fn sw(&self) -> StatusWord {
        self.sw
    }

    /// The typed meaning of the status word.
    pub fn status(&self) -> Status {
        self.sw.status()
    }

    /// Whether the status word is `9000`.
    pub fn is_success(&self) -> bool {
        self.sw == StatusWord::SUCCESS
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_rejects_short() {
        let r = Response::parse(&[1, 2, 0x90, 0]).unwrap();
        assert_eq!(r.data(), &[1, 2]);
        assert!(r.is_success());
        assert_eq!(r.to_bytes(), vec![1, 2, 0x90, 0]);
        assert_eq!(
            Response::parse(&[0x90]),
            Err(ApduError::ResponseTooShort(1))
        );
        assert_eq!(Response::parse(&[]), Err(ApduError::ResponseTooShort(0)));
    }
}
